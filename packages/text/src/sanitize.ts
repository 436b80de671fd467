/**
 * Untrusted text (reviews, titles, descriptions) on its way into a prompt or a
 * model input. The prompt builders wrap such text in data blocks whose
 * delimiters are lines starting with DATA_FENCE; after sanitising, text is one
 * line and contains no run of the fence characters, so it can neither start a
 * new line nor spell a delimiter.
 */

/** Prompt data blocks open with `<<<DATA name>>>` and close with `<<<END name>>>`. */
export const DATA_FENCE = '<<<';
/** Closing half of a delimiter; neutralised in untrusted text like DATA_FENCE. */
export const DATA_FENCE_CLOSE = '>>>';

export interface SanitizeOptions {
  /** Upper bound on the result's length in UTF-16 code units (ellipsis included). */
  maxChars: number;
}

const ELLIPSIS = '…';

// ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
// DCS/PM/APC/SOS strings (ESC P|^|_|X ... ST), and two-byte escapes (ESC + one char).
const ANSI =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
// C0 and C1 controls and DEL (tabs and newlines are whitespace, handled below).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;
// Invisible format characters that can hide or reorder text: zero-width
// spaces/joiners, bidi embeddings/overrides/isolates, word joiner, BOM.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
const MARKUP_TAG = /<\/?[a-zA-Z][^<>]{0,200}>/g;
// Runs of two or more angle brackets (and fullwidth/small variants), backticks,
// tildes or equals signs: anything that could read as a fence or a heading rule.
const FENCE_RUN = /[<>\uff1c\uff1e\ufe64\ufe65]{2,}|`{2,}|~{3,}|={3,}|-{3,}|#{2,}/g;

/**
 * Make untrusted text safe to place in a prompt data block: strip escape
 * sequences, control and invisible characters and HTML-like tags; neutralise
 * delimiter-like runs (`<<<`, `>>>`, triple backticks, ...); collapse all
 * whitespace (newlines included) to single spaces; cut to `maxChars` at a word
 * boundary with an ellipsis. Deterministic; never throws on any string.
 */
export function sanitizeUntrusted(text: string, options: SanitizeOptions): string {
  const { maxChars } = options;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${String(maxChars)}`);
  }
  const cleaned = String(text)
    .normalize('NFKC')
    .replace(ANSI, ' ')
    .replace(CONTROL, ' ')
    .replace(INVISIBLE, '')
    .replace(MARKUP_TAG, ' ')
    .replace(FENCE_RUN, (run) => run[0])
    .replace(/\s+/g, ' ')
    .trim();
  return truncateWords(cleaned, maxChars);
}

/** Cut `text` to at most `maxChars` characters, at a word boundary when one is near, adding an ellipsis. */
export function truncateWords(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars === 1) return ELLIPSIS;
  let cut = text.slice(0, maxChars - 1);
  // Never split a surrogate pair.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  // Keep the last word only when the text breaks right after it.
  const space = cut.lastIndexOf(' ');
  if (!/\s/.test(text[cut.length]) && space >= Math.floor(maxChars / 2)) cut = cut.slice(0, space);
  return cut.replace(/[\s,;:.\-–—|]+$/, '') + ELLIPSIS;
}
