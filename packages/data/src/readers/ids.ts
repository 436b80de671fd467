/**
 * The longest user or item id the line-oriented readers ("user item" pairs and
 * one-sequence-per-line files) accept, in UTF-8 bytes. Real ids are short
 * (ASINs are 10 characters, reviewer ids about 14, integer ids fewer); a
 * longer one is a broken line (a review body in the id column, a file with
 * no line breaks), so the line is counted as malformed instead of stored.
 */
export const MAX_ID_BYTES = 256;

// C0 and C1 control characters and DEL: never part of a real id.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `id` cannot be a `field` id, or `undefined` when it can. Never echoes the id. */
export function idProblem(field: 'user' | 'item', id: string): string | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no byte count.
  if (id.length * 3 > MAX_ID_BYTES) {
    const bytes = Buffer.byteLength(id, 'utf8');
    if (bytes > MAX_ID_BYTES)
      return `${field} id is ${bytes} bytes, longer than the ${MAX_ID_BYTES}-byte limit`;
  }
  if (CONTROL.test(id)) return `${field} id contains a control character`;
  return undefined;
}

/** Split a whitespace-separated line into fields ("123 456" takes a fast path). */
export function splitFields(line: string): string[] {
  const parts = line.split(' ');
  for (const p of parts) if (p === '') return line.trim().split(/\s+/);
  return line.indexOf('\t') >= 0 ? line.trim().split(/\s+/) : parts;
}
