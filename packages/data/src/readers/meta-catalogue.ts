import type { Item } from '../types';
import type { ReadContext } from './context';
import { parseObjectLine, type JsonObject } from './object-line';

export interface MetaCatalogueOptions {
  /** Top-level id field, peeked before parsing to skip unreferenced items. */
  idField: string;
  toItem: (rec: JsonObject) => Item | string;
}

/**
 * Stream a metadata file, keeping entries for referenced items only. Lines
 * whose id can be read without parsing and is not referenced are skipped
 * unparsed (metadata files run to millions of lines); the rest are parsed
 * and validated. A repeated id keeps the first entry and counts as malformed.
 */
export async function readMetaCatalogue(
  ctx: ReadContext,
  path: string,
  referenced: ReadonlySet<string>,
  options: MetaCatalogueOptions,
): Promise<Map<string, Item>> {
  const catalogue = new Map<string, Item>();
  await ctx.eachLine(path, (line) => {
    const peeked = peekStringField(line, options.idField);
    if (peeked !== undefined && !referenced.has(peeked.trim())) return;
    const parsed = parseObjectLine(line);
    if (parsed.reason !== undefined) return parsed.reason;
    const item = options.toItem(parsed.value);
    if (typeof item === 'string') return item;
    if (!referenced.has(item.id)) return;
    if (catalogue.has(item.id)) return `duplicate ${options.idField} ${item.id} (kept the first)`;
    catalogue.set(item.id, item);
  });
  return catalogue;
}

/**
 * The value of a quoted string field, found without parsing the line
 * (`"asin": "B00..."` or `'asin': 'B00...'`), so metadata lines for items no
 * review mentions can be skipped cheaply. `undefined` when not found simply.
 */
export function peekStringField(line: string, field: string): string | undefined {
  for (const q of ['"', "'"]) {
    const key = `${q}${field}${q}`;
    const at = line.indexOf(key);
    if (at < 0) continue;
    let i = at + key.length;
    while (line[i] === ' ') i++;
    if (line[i] !== ':') continue;
    i++;
    while (line[i] === ' ') i++;
    if (line[i] !== q) continue;
    const end = line.indexOf(q, i + 1);
    if (end < 0) continue;
    const value = line.slice(i + 1, end);
    // Escapes would need a real parser; let the caller parse such lines.
    return value.indexOf('\\') >= 0 ? undefined : value;
  }
  return undefined;
}
