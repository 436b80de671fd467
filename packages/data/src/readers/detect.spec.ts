import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import { detectFormat, readDirectory } from './detect';
import { sharedData as dataDir } from '../internal/shared-data';

const FIXTURES = join(__dirname, '__fixtures__');

describe('detectFormat on the real datasets', () => {
  it.each([
    [
      'luxury-beauty-2018',
      'pairs-with-items',
      { pairs: 'Luxury_Beauty.txt', items: 'Luxury_Beauty_items.jsonl' },
    ],
    [
      'all-beauty-2018',
      'pairs-with-items',
      { pairs: 'All_Beauty.txt', items: 'All_Beauty_items.jsonl' },
    ],
    ['games-sasrec-2014', 'pairs', { pairs: 'Video.txt' }],
    ['all-beauty-2018-reviews', 'amazon-2018', { reviews: 'All_Beauty_5.json.gz' }],
    ['ml-100k', 'recbole', { inter: 'ml-100k.inter', item: 'ml-100k.item' }],
  ])('%s -> %s', async (name, reader, files) => {
    const dir = dataDir(name);
    const expected = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(dir, f)]));
    expect(await detectFormat(dir)).toEqual({ reader, files: expected });
  });

  it('scientific-2018 -> unisrec', async () => {
    const dir = dataDir('scientific-2018');
    expect(await detectFormat(dir)).toEqual({
      reader: 'unisrec',
      files: { dir, name: 'Scientific' },
    });
  });
});

describe('detectFormat on fixtures', () => {
  it('recognises Amazon 2014 and 2023 with their metadata, and both MovieLens layouts', async () => {
    const at = (d: string, f: string): string => join(FIXTURES, d, f);
    expect(await detectFormat(join(FIXTURES, 'amazon-2014'))).toEqual({
      reader: 'amazon-2014',
      files: {
        reviews: at('amazon-2014', 'reviews_Toys_and_Games_5.json.gz'),
        meta: at('amazon-2014', 'meta_Toys_and_Games.json.gz'),
      },
    });
    expect(await detectFormat(join(FIXTURES, 'amazon-2023'))).toEqual({
      reader: 'amazon-2023',
      files: {
        reviews: at('amazon-2023', 'All_Beauty.jsonl'),
        meta: at('amazon-2023', 'meta_All_Beauty.jsonl'),
      },
    });
    expect(await detectFormat(join(FIXTURES, 'movielens-1m'))).toEqual({
      reader: 'movielens',
      files: {
        ratings: at('movielens-1m', 'ratings.dat'),
        movies: at('movielens-1m', 'movies.dat'),
      },
    });
    expect(await detectFormat(join(FIXTURES, 'movielens-100k'))).toEqual({
      reader: 'movielens',
      files: { ratings: at('movielens-100k', 'u.data'), movies: at('movielens-100k', 'u.item') },
    });
  });

  it('reads a folder end to end', async () => {
    const raw = await readDirectory(join(FIXTURES, 'movielens-100k'));
    expect(raw.reader).toBe('movielens');
    expect(raw.interactions).toHaveLength(5);
  });
});

describe('detectFormat on *.txt files: pairs or one sequence per line', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'readers-detect-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads lines of varying length as sequences and "user item" lines as pairs', async () => {
    writeFileSync(join(dir, 'data.txt'), 'u1 a b c\nu2 b c\nu3 a b c d e\nu4 c d e f\n');
    expect(await detectFormat(dir)).toEqual({
      reader: 'sequences',
      files: { sequences: join(dir, 'data.txt') },
    });
    writeFileSync(join(dir, 'data.txt'), 'u1 a\nu1 b\nu2 a\nu2 c d e\n');
    expect((await detectFormat(dir)).reader).toBe('pairs');
  });

  it('does not take a table with a fixed extra column for sequences', async () => {
    writeFileSync(join(dir, 'data.txt'), 'u1 a 100\nu1 b 101\nu2 a 102\nu2 c 103\n');
    expect((await detectFormat(dir)).reader).toBe('pairs');
  });

  it('picks P5 and IDGenRec file names among other *.txt files, with an items file', async () => {
    writeFileSync(join(dir, 'negative_samples.txt'), 'u1 x y z\n');
    writeFileSync(join(dir, 'sequential_data.txt'), '1 2 3\n2 3 4 5\n');
    writeFileSync(join(dir, 'sequential_data_items.jsonl'), '');
    expect(await detectFormat(dir)).toEqual({
      reader: 'sequences',
      files: {
        sequences: join(dir, 'sequential_data.txt'),
        items: join(dir, 'sequential_data_items.jsonl'),
      },
    });
  });

  it('lets the layout option override the guess', async () => {
    writeFileSync(join(dir, 'data.txt'), 'u1 a\nu2 b\n');
    expect((await detectFormat(dir, { layout: 'sequences' })).reader).toBe('sequences');
    writeFileSync(join(dir, 'data.txt'), 'u1 a b c\nu2 b c\nu3 a b c d\n');
    expect((await detectFormat(dir, { layout: 'pairs' })).reader).toBe('pairs');
  });
});

describe('detectFormat failures', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'readers-detect-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says "unknown format" and lists what it found', async () => {
    writeFileSync(join(dir, 'notes.md'), '');
    writeFileSync(join(dir, 'data.csv'), '');
    const run = detectFormat(dir);
    await expect(run).rejects.toThrow(InvalidArgumentError);
    await expect(detectFormat(dir)).rejects.toThrow(/unknown format; found data\.csv, notes\.md/);
  });

  it('refuses to guess between two candidates', async () => {
    writeFileSync(join(dir, 'a.txt'), '');
    writeFileSync(join(dir, 'b.txt'), '');
    await expect(detectFormat(dir)).rejects.toThrow(/ambiguous \*\.txt files: a\.txt, b\.txt/);
  });

  it('names a missing folder', async () => {
    const missing = join(dir, 'nope');
    await expect(detectFormat(missing)).rejects.toThrow(
      new NotFoundError(`dataset folder not found: ${missing}`),
    );
  });
});
