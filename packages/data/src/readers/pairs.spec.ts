import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError } from '@thoughtspace/runtime';
import type { RawDataset } from '../types';
import { readPairs, readPairsWithItems } from './pairs';
import { sharedData as dataFile } from '../internal/shared-data';

function counts(raw: RawDataset): { users: number; items: number; interactions: number } {
  return {
    users: new Set(raw.interactions.map((e) => e.user)).size,
    items: new Set(raw.interactions.map((e) => e.item)).size,
    interactions: raw.interactions.length,
  };
}

describe('readPairs on real files', () => {
  it('reads Luxury_Beauty.txt with its duplicates (de-duplication is preprocessing)', async () => {
    const path = dataFile('luxury-beauty-2018', 'Luxury_Beauty.txt');
    const raw = await readPairs({ pairs: path });
    expect(raw.reader).toBe('pairs');
    expect(counts(raw)).toEqual({ users: 9930, items: 6141, interactions: 63953 });
    expect(raw.items).toHaveLength(6141);
    expect(raw.interactions[0]).toEqual({ user: '1', item: '4374' });
    expect(raw.interactions[63952]).toEqual({ user: '9930', item: '4431' });
    expect(raw.report).toEqual({
      files: [
        {
          path,
          sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
          bytes: readFileSync(path).length,
        },
      ],
      lines: 63953,
      malformed: 0,
      malformedSamples: [],
      byFile: [{ path, lines: 63953, malformed: 0 }],
    });
  });

  it('reads the SASRec Games file (Video.txt)', async () => {
    const raw = await readPairs({ pairs: dataFile('games-sasrec-2014', 'Video.txt') });
    expect(counts(raw)).toEqual({ users: 31013, items: 23715, interactions: 287107 });
    expect(raw.interactions[0]).toEqual({ user: '1', item: '6393' });
    expect(raw.interactions[287106]).toEqual({ user: '31013', item: '23512' });
    expect(raw.items.every((it) => it.title === undefined)).toBe(true);
  });

  it('joins the item catalogue for the luxury folder, entity-decoded', async () => {
    const raw = await readPairsWithItems({
      pairs: dataFile('luxury-beauty-2018', 'Luxury_Beauty.txt'),
      items: dataFile('luxury-beauty-2018', 'Luxury_Beauty_items.jsonl'),
    });
    expect(raw.reader).toBe('pairs-with-items');
    expect(raw.items).toHaveLength(6141);
    expect(raw.items.filter((it) => it.title !== undefined)).toHaveLength(6136);
    const first = raw.items.find((it) => it.id === '1');
    expect(first?.title).toContain('Crabtree & Evelyn');
    expect(first?.attributes?.asin).toBe('B00004U9V2');
    expect(raw.report.files).toHaveLength(2);
    expect(raw.report.lines).toBe(63953 + 6141);
    expect(raw.report.malformed).toBe(0);
  });
});

describe('readPairs on edge cases', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'readers-pairs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts any whitespace and string ids; rejects lines without exactly two tokens', async () => {
    const path = join(dir, 'pairs.txt');
    writeFileSync(path, 'u1 A\nu1\tB\n  u2   C  \n\nu3\nu3 D E\nu3 F\n');
    const raw = await readPairs({ pairs: path });
    expect(raw.interactions).toEqual([
      { user: 'u1', item: 'A' },
      { user: 'u1', item: 'B' },
      { user: 'u2', item: 'C' },
      { user: 'u3', item: 'F' },
    ]);
    expect(raw.report.lines).toBe(6);
    expect(raw.report.malformedSamples).toEqual([
      { file: path, line: 5, reason: 'expected 2 whitespace-separated fields (user item), got 1' },
      { file: path, line: 6, reason: 'expected 2 whitespace-separated fields (user item), got 3' },
    ]);
  });

  it('bounds ids at 256 UTF-8 bytes and rejects control characters (a 5 MB user id is a malformed line)', async () => {
    const path = join(dir, 'long-ids.txt');
    const huge = 'u'.repeat(5 * 1024 * 1024);
    const at256 = 'é'.repeat(128); // 256 bytes in UTF-8, 128 UTF-16 units
    const at258 = 'é'.repeat(129);
    writeFileSync(path, `${huge} A\n${at256} B\nu1 ${at258}\nu2 C\u0000D\nu3 E\n`);
    const raw = await readPairs({ pairs: path });
    expect(raw.interactions).toEqual([
      { user: at256, item: 'B' },
      { user: 'u3', item: 'E' },
    ]);
    expect(raw.report.malformedSamples).toEqual([
      {
        file: path,
        line: 1,
        reason: `user id is ${5 * 1024 * 1024} bytes, longer than the 256-byte limit`,
      },
      { file: path, line: 3, reason: 'item id is 258 bytes, longer than the 256-byte limit' },
      { file: path, line: 4, reason: 'item id contains a control character' },
    ]);
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.txt');
    await expect(readPairs({ pairs: path })).rejects.toThrow(
      new NotFoundError(`file not found: ${path}`),
    );
  });
});
