import type { Item, RawDataset, ReadOptions } from '../types';
import { setAttribute } from './catalogue';
import { ReadContext } from './context';
import { idField, parseObjectLine, type JsonObject } from './object-line';
import { cleanJoined, cleanText } from './text';

export interface ItemsJsonlReadOptions extends ReadOptions {
  /** A JSON-lines catalogue: `{"item_id", "asin", "title", "description"}` per line. */
  items: string;
}

/** Read an item catalogue on its own; the dataset has items and no interactions. */
export async function readItemsJsonl(options: ItemsJsonlReadOptions): Promise<RawDataset> {
  const ctx = new ReadContext(options);
  const catalogue = await readItemsCatalogue(ctx, options.items);
  return {
    reader: 'items-jsonl',
    items: [...catalogue.values()],
    interactions: [],
    report: ctx.report(),
  };
}

/** Read an items JSON-lines file into a map by item id; repeated ids keep the first and count as malformed. */
export async function readItemsCatalogue(
  ctx: ReadContext,
  path: string,
): Promise<Map<string, Item>> {
  const catalogue = new Map<string, Item>();
  await ctx.eachLine(path, (line) => {
    const parsed = parseObjectLine(line, { python: false });
    if (parsed.reason !== undefined) return parsed.reason;
    const item = toItem(parsed.value);
    if (typeof item === 'string') return item;
    if (catalogue.has(item.id)) return `duplicate item_id ${item.id} (kept the first)`;
    catalogue.set(item.id, item);
  });
  return catalogue;
}

const KNOWN = new Set(['item_id', 'asin', 'title', 'description']);

function toItem(rec: JsonObject): Item | string {
  const id = idField(rec.item_id);
  if (id === undefined) return 'missing or invalid item_id';
  const item: Item = { id };
  const title = cleanText(rec.title);
  if (title !== undefined) item.title = title;
  const description = cleanJoined(rec.description, '\n');
  if (description !== undefined) item.description = description;
  setAttribute(item, 'asin', idField(rec.asin));
  // Extra scalar fields some exports add (brand, category, ...) are kept as text.
  for (const key of Object.keys(rec)) {
    if (!KNOWN.has(key)) setAttribute(item, key, cleanText(rec[key]));
  }
  return item;
}
