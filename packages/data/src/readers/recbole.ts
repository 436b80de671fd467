import type { Interaction, Item, RawDataset, ReadOptions } from '../types';
import { parseAtomicHeader, findColumn, requireColumn, type AtomicColumn } from './atomic-header';
import { joinCatalogue, setAttribute } from './catalogue';
import { ReadContext } from './context';
import { cleanText, cleanTextList } from './text';

export interface RecboleReadOptions extends ReadOptions {
  /** `<name>.inter`: user_id, item_id and optionally rating and timestamp columns. */
  inter: string;
  /** Optional `<name>.item`. */
  item?: string;
}

/**
 * Read RecBole atomic files. The typed header drives parsing: columns are
 * found by name, so their order does not matter. `.inter` columns other than
 * user/item/rating/timestamp have no place in an Interaction and are ignored;
 * `.user` files are not read (the canonical model has no user features).
 */
export async function readRecbole(options: RecboleReadOptions): Promise<RawDataset> {
  const ctx = new ReadContext(options);
  const interactions = await readInter(ctx, options.inter);
  const catalogue =
    options.item === undefined ? new Map<string, Item>() : await readItems(ctx, options.item);
  return {
    reader: 'recbole',
    items: joinCatalogue(interactions, catalogue),
    interactions,
    report: ctx.report(),
  };
}

async function readInter(ctx: ReadContext, path: string): Promise<Interaction[]> {
  const interactions: Interaction[] = [];
  let columns: AtomicColumn[] = [];
  let user = -1;
  let item = -1;
  let rating = -1;
  let timestamp = -1;
  const onHeader = (line: string): void => {
    columns = parseAtomicHeader(line, path);
    user = requireColumn(columns, ['user_id'], path);
    item = requireColumn(columns, ['item_id'], path);
    rating = findColumn(columns, ['rating']);
    timestamp = findColumn(columns, ['timestamp']);
  };
  await ctx.eachLine(
    path,
    (line) => {
      const cells = line.split('\t');
      if (cells.length !== columns.length)
        return `expected ${columns.length} tab-separated fields, got ${cells.length}`;
      const u = cells[user].trim();
      const i = cells[item].trim();
      if (u === '') return 'empty user_id';
      if (i === '') return 'empty item_id';
      const e: Interaction = { user: u, item: i };
      if (rating >= 0 && cells[rating].trim() !== '') {
        const r = Number(cells[rating]);
        if (!Number.isFinite(r)) return 'rating is not a number';
        e.rating = r;
      }
      if (timestamp >= 0 && cells[timestamp].trim() !== '') {
        const t = Number(cells[timestamp]);
        if (!Number.isFinite(t)) return 'timestamp is not a number';
        e.timestamp = t;
      }
      interactions.push(e);
    },
    { onHeader },
  );
  return interactions;
}

const TITLE = ['movie_title', 'title'];
const GENRES = new Set(['class', 'genre', 'genres']);

async function readItems(ctx: ReadContext, path: string): Promise<Map<string, Item>> {
  const catalogue = new Map<string, Item>();
  let columns: AtomicColumn[] = [];
  let id = -1;
  let title = -1;
  const onHeader = (line: string): void => {
    columns = parseAtomicHeader(line, path);
    id = requireColumn(columns, ['item_id'], path);
    title = findColumn(columns, TITLE);
  };
  await ctx.eachLine(
    path,
    (line) => {
      const cells = line.split('\t');
      if (cells.length !== columns.length)
        return `expected ${columns.length} tab-separated fields, got ${cells.length}`;
      const item: Item = { id: cells[id].trim() };
      if (item.id === '') return 'empty item_id';
      if (catalogue.has(item.id)) return `duplicate item_id ${item.id} (kept the first)`;
      for (let c = 0; c < columns.length; c++) {
        if (c !== id) {
          const reason = applyColumn(item, columns[c], cells[c], c === title);
          if (reason !== undefined) return reason;
        }
      }
      catalogue.set(item.id, item);
    },
    { onHeader },
  );
  return catalogue;
}

function applyColumn(
  item: Item,
  column: AtomicColumn,
  cell: string,
  isTitle: boolean,
): string | void {
  const { name, type } = column;
  if (isTitle) {
    const title = cleanText(cell);
    if (title !== undefined) item.title = title;
  } else if (name === 'description') {
    const description = cleanText(cell);
    if (description !== undefined) item.description = description;
  } else if (name === 'brand') {
    const brand = cleanText(cell);
    if (brand !== undefined) item.brand = brand;
  } else if (name === 'price' && type === 'float') {
    if (cell.trim() === '') return;
    const price = Number(cell);
    if (!Number.isFinite(price)) return 'price is not a number';
    item.price = price;
  } else if (GENRES.has(name) || name === 'categories') {
    const list = GENRES.has(name) ? splitTokens(cell) : splitCategories(cell);
    if (list.length === 0) return;
    item.categories = [...(item.categories ?? []), ...list];
    if (GENRES.has(name)) setAttribute(item, 'genres', list.join(', '));
  } else {
    setAttribute(item, name, cleanText(cell));
  }
}

/** token_seq values are space separated (RecBole's default seq_separator). */
function splitTokens(cell: string): string[] {
  return cleanTextList(cell.split(' '));
}

/**
 * RecBole's Amazon conversions write categories as "'Beauty', 'Skin Care'";
 * split those on commas and drop the quotes. Plain token_seq values split on spaces.
 */
function splitCategories(cell: string): string[] {
  if (cell.indexOf(',') < 0 && cell.indexOf("'") < 0) return splitTokens(cell);
  return cleanTextList(cell.split(',').map((c) => c.trim().replace(/^['"]|['"]$/g, '')));
}
