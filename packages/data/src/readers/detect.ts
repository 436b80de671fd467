import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import type { RawDataset, ReadOptions } from '../types';
import { readAmazon2014, readAmazon2018 } from './amazon';
import { readAmazon2023 } from './amazon-2023';
import { readItemsJsonl } from './items-jsonl';
import { readMovieLens } from './movielens';
import { readPairs, readPairsWithItems } from './pairs';
import { readRecbole } from './recbole';
import { readSequences } from './sequences';
import { looksLikeSequences, sniffLines } from './sniff';
import { readUnisrec } from './unisrec';

/** A reader and the files it should read, as found by `detectFormat`. */
export type DetectedFormat =
  | { reader: 'pairs'; files: { pairs: string } }
  | { reader: 'pairs-with-items'; files: { pairs: string; items: string } }
  | { reader: 'sequences'; files: { sequences: string; items?: string } }
  | { reader: 'items-jsonl'; files: { items: string } }
  | {
      reader: 'amazon-2014' | 'amazon-2018' | 'amazon-2023';
      files: { reviews: string; meta?: string };
    }
  | { reader: 'unisrec'; files: { dir: string; name: string } }
  | { reader: 'recbole'; files: { inter: string; item?: string } }
  | { reader: 'movielens'; files: { ratings: string; movies?: string } };

/** Reader names, as used in manifests. */
export type ReaderName = DetectedFormat['reader'];

/** The two layouts of a whitespace-separated `*.txt` file, as named by `--format`. */
export type TextLayout = 'pairs' | 'sequences';
export const TEXT_LAYOUTS: readonly TextLayout[] = ['pairs', 'sequences'];

/** File names other projects give their one-sequence-per-line files (P5, IDGenRec). */
const SEQUENCE_FILE_NAMES = ['sequential_data.txt', 'user_sequence.txt'];

export interface DetectOptions {
  /**
   * How to read a `*.txt` file, overriding the guess from its first lines
   * (ignored for other formats, which their file names decide).
   */
  layout?: TextLayout;
}

/**
 * Decide from the file names in `dir` which reader applies. Rules, first
 * match wins: `<n>.train.inter` (UniSRec), `<n>.inter` (RecBole),
 * `ratings.dat` / `u.data` (MovieLens), `*.jsonl[.gz]` reviews (Amazon 2023),
 * `*.json[.gz]` reviews (Amazon 2014 when named `reviews_*`, else 2018),
 * `*.txt` (with `<stem>_items.jsonl` when present), `*_items.jsonl`.
 * A `*.txt` file is read as one sequence per line when most of its first 200
 * lines have 3 or more fields in varying numbers (see `looksLikeSequences`),
 * else as "user item" pairs; `options.layout` overrides the guess. Among
 * several `*.txt` files, `sequential_data.txt` (P5) or `user_sequence.txt`
 * (IDGenRec) is taken; otherwise several are ambiguous.
 */
export async function detectFormat(
  dir: string,
  options: DetectOptions = {},
): Promise<DetectedFormat> {
  const names = await listFiles(dir);
  const at = (n: string): string => join(dir, n);
  const has = (n: string): boolean => names.includes(n);
  const one = (what: string, found: string[]): string => {
    if (found.length > 1)
      throw new InvalidArgumentError(`${dir}: ambiguous ${what}: ${found.join(', ')}`);
    return found[0];
  };

  const unisrec = names.filter((n) => n.endsWith('.train.inter'));
  if (unisrec.length > 0) {
    const name = one('UniSRec datasets', unisrec).slice(0, -'.train.inter'.length);
    return { reader: 'unisrec', files: { dir, name } };
  }
  const inter = names.filter(
    (n) => n.endsWith('.inter') && !/\.(train|valid|test)\.inter$/.test(n),
  );
  if (inter.length > 0) {
    const file = one('RecBole .inter files', inter);
    const item = file.slice(0, -'.inter'.length) + '.item';
    return {
      reader: 'recbole',
      files: { inter: at(file), ...(has(item) ? { item: at(item) } : {}) },
    };
  }
  if (has('ratings.dat')) {
    return {
      reader: 'movielens',
      files: {
        ratings: at('ratings.dat'),
        ...(has('movies.dat') ? { movies: at('movies.dat') } : {}),
      },
    };
  }
  if (has('u.data')) {
    return {
      reader: 'movielens',
      files: { ratings: at('u.data'), ...(has('u.item') ? { movies: at('u.item') } : {}) },
    };
  }

  const itemsJsonl = names.filter((n) => n.endsWith('_items.jsonl'));
  const jsonl = names.filter((n) => /\.jsonl(\.gz)?$/.test(n) && !n.endsWith('_items.jsonl'));
  const json = names.filter((n) => /\.json(\.gz)?$/.test(n));
  for (const [group, reader] of [
    [jsonl, 'amazon-2023'],
    [json, 'amazon-2018'],
  ] as const) {
    const reviews = group.filter((n) => !n.startsWith('meta_'));
    if (reviews.length === 0) continue;
    const review = one('review files', reviews);
    const meta = group.filter((n) => n.startsWith('meta_'));
    const files = {
      reviews: at(review),
      ...(meta.length > 0 ? { meta: at(one('metadata files', meta)) } : {}),
    };
    const edition =
      reader === 'amazon-2018' && review.startsWith('reviews_') ? 'amazon-2014' : reader;
    return { reader: edition, files };
  }

  const txt = names.filter((n) => n.endsWith('.txt'));
  if (txt.length > 0) {
    const known = txt.filter((n) => SEQUENCE_FILE_NAMES.includes(n));
    const file = one('*.txt files', known.length > 0 ? known : txt);
    const itemsName = file.slice(0, -'.txt'.length) + '_items.jsonl';
    const items = has(itemsName) ? at(itemsName) : undefined;
    const layout =
      options.layout ?? (looksLikeSequences(await sniffLines(at(file))) ? 'sequences' : 'pairs');
    if (layout === 'sequences')
      return { reader: 'sequences', files: { sequences: at(file), ...(items ? { items } : {}) } };
    if (items) return { reader: 'pairs-with-items', files: { pairs: at(file), items } };
    return { reader: 'pairs', files: { pairs: at(file) } };
  }
  if (itemsJsonl.length > 0)
    return { reader: 'items-jsonl', files: { items: at(one('item catalogues', itemsJsonl)) } };

  throw new InvalidArgumentError(
    `${dir}: unknown format; found ${names.length === 0 ? 'no files' : names.join(', ')}. ` +
      'Expected one of: <name>.train.inter (UniSRec), <name>.inter (RecBole), ratings.dat or u.data (MovieLens), ' +
      '*.jsonl[.gz] (Amazon 2023), *.json[.gz] (Amazon 2014/2018), *.txt ("user item" pairs or "user item item ..." sequences), *_items.jsonl',
  );
}

/** Run the reader a detected format names. */
export function readDetected(
  format: DetectedFormat,
  options: ReadOptions = {},
): Promise<RawDataset> {
  switch (format.reader) {
    case 'pairs':
      return readPairs({ ...options, ...format.files });
    case 'pairs-with-items':
      return readPairsWithItems({ ...options, ...format.files });
    case 'sequences':
      return readSequences({ ...options, ...format.files });
    case 'items-jsonl':
      return readItemsJsonl({ ...options, ...format.files });
    case 'amazon-2014':
      return readAmazon2014({ ...options, ...format.files });
    case 'amazon-2018':
      return readAmazon2018({ ...options, ...format.files });
    case 'amazon-2023':
      return readAmazon2023({ ...options, ...format.files });
    case 'unisrec':
      return readUnisrec({ ...options, ...format.files });
    case 'recbole':
      return readRecbole({ ...options, ...format.files });
    case 'movielens':
      return readMovieLens({ ...options, ...format.files });
  }
}

/** Detect the format of `dir` and read it. */
export async function readDirectory(
  dir: string,
  options: ReadOptions & DetectOptions = {},
): Promise<RawDataset> {
  return readDetected(await detectFormat(dir, options), options);
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new NotFoundError(`dataset folder not found: ${dir}`, { cause: err });
    if (code === 'ENOTDIR') throw new InvalidArgumentError(`not a folder: ${dir}`, { cause: err });
    throw err;
  }
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}
