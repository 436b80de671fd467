import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import type { Interaction, Item, RawDataset, ReadOptions } from '../types';
import { parseAtomicHeader, requireColumn } from './atomic-header';
import { joinCatalogue } from './catalogue';
import { ReadContext } from './context';
import { cleanText } from './text';
import { reconstructSequence, type PrefixRow } from './unisrec-sequence';

export interface UnisrecReadOptions extends ReadOptions {
  /** The dataset folder. */
  dir: string;
  /** File stem (`Scientific` for Scientific.text, ...); found from `*.train.inter` when omitted. */
  name?: string;
}

const SPLITS = ['train', 'valid', 'test'] as const;

/**
 * Read a UniSRec-format folder. The `.inter` files hold prefix-expanded
 * sequences over dense indices; each user's full chronological sequence is
 * rebuilt from them and ids are mapped back to the originals (ASINs,
 * reviewer ids) through `.item2index` / `.user2index` where present.
 * The `.text` line ("title. categories. brand.") becomes the item's `title`
 * whole: its parts are joined by ". ", which titles themselves contain, so
 * splitting it would guess.
 */
export async function readUnisrec(options: UnisrecReadOptions): Promise<RawDataset> {
  const name = options.name ?? (await findName(options.dir));
  const file = (suffix: string): string => join(options.dir, `${name}.${suffix}`);
  const ctx = new ReadContext(options);

  const itemIds = (await exists(file('item2index')))
    ? await readIndex(ctx, file('item2index'))
    : new Map();
  const userIds = (await exists(file('user2index')))
    ? await readIndex(ctx, file('user2index'))
    : new Map();

  const rowsByUser = new Map<string, PrefixRow[]>();
  for (const split of SPLITS) await readInter(ctx, file(`${split}.inter`), rowsByUser);

  const interactions: Interaction[] = [];
  for (const [userIndex, rows] of rowsByUser) {
    const { sequence, unused } = reconstructSequence(rows);
    for (const row of unused) {
      ctx.reject(
        row.file,
        row.line,
        `does not continue user ${userIndex}'s sequence (duplicate or contradicting prefix)`,
      );
    }
    const user = userIds.get(userIndex) ?? userIndex;
    for (const item of sequence) interactions.push({ user, item: itemIds.get(item) ?? item });
  }

  const catalogue = (await exists(file('text')))
    ? await readText(ctx, file('text'))
    : new Map<string, Item>();
  return {
    reader: 'unisrec',
    items: joinCatalogue(interactions, catalogue),
    interactions,
    report: ctx.report(),
  };
}

async function findName(dir: string): Promise<string> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    throw new NotFoundError(`dataset folder not found: ${dir}`, { cause: err });
  }
  const stems = names
    .filter((n) => n.endsWith('.train.inter'))
    .map((n) => n.slice(0, -'.train.inter'.length));
  if (stems.length !== 1) {
    throw new InvalidArgumentError(
      `${dir}: expected exactly one <name>.train.inter for the UniSRec format, found ${stems.length === 0 ? 'none' : stems.join(', ')}`,
    );
  }
  return stems[0];
}

async function exists(path: string): Promise<boolean> {
  return fsp.stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** `original<TAB>index` lines, returned as index -> original. */
async function readIndex(ctx: ReadContext, path: string): Promise<Map<string, string>> {
  const byIndex = new Map<string, string>();
  await ctx.eachLine(path, (line) => {
    const f = line.split('\t');
    if (f.length !== 2 || f[0].trim() === '' || f[1].trim() === '')
      return 'expected "original<TAB>index"';
    const index = f[1].trim();
    if (byIndex.has(index)) return `index ${index} assigned twice (kept the first)`;
    byIndex.set(index, f[0].trim());
  });
  return byIndex;
}

async function readInter(
  ctx: ReadContext,
  path: string,
  rowsByUser: Map<string, PrefixRow[]>,
): Promise<void> {
  let user = -1;
  let history = -1;
  let target = -1;
  let width = 0;
  const onHeader = (line: string): void => {
    const columns = parseAtomicHeader(line, path);
    user = requireColumn(columns, ['user_id'], path);
    history = requireColumn(columns, ['item_id_list'], path);
    target = requireColumn(columns, ['item_id'], path);
    width = columns.length;
  };
  await ctx.eachLine(
    path,
    (line, lineNo) => {
      const f = line.split('\t');
      if (f.length !== width) return `expected ${width} tab-separated fields, got ${f.length}`;
      const u = f[user].trim();
      const t = f[target].trim();
      if (u === '' || t === '') return 'empty user_id or item_id';
      const h = f[history].trim();
      const row: PrefixRow = {
        history: h === '' ? [] : h.split(' ').filter((x) => x !== ''),
        target: t,
        file: path,
        line: lineNo,
      };
      const rows = rowsByUser.get(u);
      if (rows) rows.push(row);
      else rowsByUser.set(u, [row]);
    },
    { onHeader },
  );
}

async function readText(ctx: ReadContext, path: string): Promise<Map<string, Item>> {
  const catalogue = new Map<string, Item>();
  let id = -1;
  let text = -1;
  let width = 0;
  const onHeader = (line: string): void => {
    const columns = parseAtomicHeader(line, path);
    id = requireColumn(columns, ['item_id'], path);
    text = requireColumn(columns, ['text'], path);
    width = columns.length;
  };
  await ctx.eachLine(
    path,
    (line) => {
      const f = line.split('\t');
      if (f.length !== width) return `expected ${width} tab-separated fields, got ${f.length}`;
      const item: Item = { id: f[id].trim() };
      if (item.id === '') return 'empty item_id';
      if (catalogue.has(item.id)) return `duplicate item_id ${item.id} (kept the first)`;
      const title = cleanText(f[text]);
      if (title !== undefined) item.title = title;
      catalogue.set(item.id, item);
    },
    { onHeader },
  );
  return catalogue;
}
