/**
 * Generated blocks in Markdown files. A block is
 *
 *   <!-- results:NAME key=value key=value -->
 *   ...generated text...
 *   <!-- /results:NAME -->
 *
 * and everything between the markers belongs to the generator NAME.
 */
export interface Block {
  name: string;
  attrs: Record<string, string>;
  /** Text between the opening and closing marker lines (without them). */
  body: string;
}

const OPEN = /<!-- results:([a-z0-9-]+)((?:\s+[a-zA-Z]+=[^\s]+)*)\s*-->\n/g;

export class BlockError extends Error {}

function parseAttrs(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const part of text.trim().split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    attrs[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return attrs;
}

/** Replaces every block's body with `render(block)`; unknown or unclosed blocks throw. */
export function replaceBlocks(text: string, render: (block: Block) => string): string {
  let out = '';
  let last = 0;
  OPEN.lastIndex = 0;
  for (let m = OPEN.exec(text); m; m = OPEN.exec(text)) {
    const name = m[1];
    const close = `<!-- /results:${name} -->`;
    const bodyStart = m.index + m[0].length;
    const end = text.indexOf(close, bodyStart);
    if (end < 0)
      throw new BlockError(`block "${name}" opened at offset ${m.index} is never closed`);
    const block = { name, attrs: parseAttrs(m[2]), body: text.slice(bodyStart, end) };
    const rendered = render(block).replace(/\n*$/, '\n');
    out += text.slice(last, bodyStart) + rendered;
    last = end;
    OPEN.lastIndex = end + close.length;
  }
  return out + text.slice(last);
}

/** Names of the blocks a text holds, in order. */
export function blockNames(text: string): string[] {
  return [...text.matchAll(OPEN)].map((m) => m[1]);
}
