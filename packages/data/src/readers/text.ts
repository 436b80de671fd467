import { decodeHTML } from 'entities';

// C0 and C1 control characters and DEL, except \t (09) and \n (0A).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Decode HTML character references as an HTML5 parser does in text (the
 * `entities` package: the full HTML5 named table, decimal and hex, and the
 * legacy names browsers accept without a semicolon, such as `&nbsp`).
 * Amazon text is escaped twice in places ("&amp;ndash;"), so decoding repeats
 * until nothing changes (at most three passes): text that legitimately spells
 * out an entity is far rarer than that.
 */
export function unescapeHtml(text: string): string {
  for (let pass = 0; pass < 3 && text.indexOf('&') >= 0; pass++) {
    const next = decodeHTML(text);
    if (next === text) break;
    text = next;
  }
  return text;
}

/** Remove control characters other than newline and tab (carriage returns included). */
export function stripControl(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text) ? text.replace(CONTROL, '') : text;
}

/**
 * Normalise one text field from a source: strings (and numbers, which some
 * sources use for titles) are entity-decoded, stripped of control characters
 * and trimmed. Anything else, or nothing left, is `undefined` so that the
 * field stays absent.
 */
export function cleanText(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return undefined;
  const cleaned = stripControl(unescapeHtml(text)).trim();
  return cleaned === '' ? undefined : cleaned;
}

/**
 * Clean every string in a value that may be a string or a (nested) list of
 * strings; empty entries are dropped and repeats removed, order kept.
 */
export function cleanTextList(value: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const text = cleanText(v);
    if (text !== undefined && !seen.has(text)) {
      seen.add(text);
      out.push(text);
    }
  };
  visit(value);
  return out;
}

/** Clean a string or list of strings and join the parts into one text; `undefined` when empty. */
export function cleanJoined(value: unknown, separator: string): string | undefined {
  const parts = cleanTextList(value);
  return parts.length === 0 ? undefined : parts.join(separator);
}
