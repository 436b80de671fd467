import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import { readUnisrec } from './unisrec';
import { reconstructSequence, type PrefixRow } from './unisrec-sequence';
import { sharedData as dataFile } from '../internal/shared-data';

/** Parse an .inter file independently of the reader: user index -> rows. */
function interRows(path: string): { user: string; history: string[]; target: string }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => {
      const [user, h, target] = l.split('\t');
      return { user, history: h.split(' '), target };
    });
}

function indexMap(path: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of readFileSync(path, 'utf8').split('\n'))
    if (l !== '') m.set(l.split('\t')[1], l.split('\t')[0]);
  return m;
}

describe('readUnisrec on scientific-2018', () => {
  const dir = dataFile('scientific-2018');

  it('rebuilds every user sequence with original ids and item text', async () => {
    const raw = await readUnisrec({ dir });
    expect(raw.reader).toBe('unisrec');
    const byUser = new Map<string, string[]>();
    for (const e of raw.interactions) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e.item]);
    expect(byUser.size).toBe(2928);
    expect(new Set(raw.interactions.map((e) => e.item)).size).toBe(1585);
    // Sequences are 5..36 long and sum to 19,712 = 10,928 train + 2,928 valid + 2,928 test
    // prefix lines + 2,928 first items (which are never a target).
    expect(raw.interactions).toHaveLength(19712);
    expect(raw.report).toMatchObject({
      malformed: 0,
      lines: 1585 + 2928 + 10928 + 2928 + 2928 + 1585,
    });
    expect(raw.report.files).toHaveLength(6);

    expect(byUser.get('A1AXCV2WYDA4PD')).toEqual([
      'B00O47ILVA',
      'B006ATU73A',
      'B00CJ5EO2E',
      'B00VTVWJOE',
      'B000FPAN2K',
    ]);

    // Every user's sequence is the test line's history + target, mapped to original ids,
    // and every train/valid line is a prefix of it.
    const items = indexMap(join(dir, 'Scientific.item2index'));
    const users = indexMap(join(dir, 'Scientific.user2index'));
    const test = interRows(join(dir, 'Scientific.test.inter'));
    expect(test).toHaveLength(2928);
    for (const row of test) {
      const expected = [...row.history, row.target].map((i) => items.get(i));
      expect(byUser.get(users.get(row.user) as string)).toEqual(expected);
    }
    for (const split of ['train', 'valid']) {
      for (const row of interRows(join(dir, `Scientific.${split}.inter`))) {
        const seq = byUser.get(users.get(row.user) as string) as string[];
        const n = row.history.length;
        expect(seq.slice(0, n + 1)).toEqual([...row.history, row.target].map((i) => items.get(i)));
      }
    }

    expect(raw.items).toHaveLength(1585);
    const vive = raw.items.find((it) => it.id === 'B00O47ILVA');
    expect(vive?.title).toMatch(
      /^Vive Suction Cup Reacher Grabber .* Industrial & Scientific .*\. Vive\.$/,
    );
    expect(raw.items.every((it) => it.title !== undefined)).toBe(true);
  });

  it('names missing files and an unusable folder', async () => {
    await expect(readUnisrec({ dir, name: 'Nope' })).rejects.toThrow(NotFoundError);
    const empty = mkdtempSync(join(tmpdir(), 'readers-unisrec-'));
    try {
      await expect(readUnisrec({ dir: empty })).rejects.toThrow(InvalidArgumentError);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reads a user present in train only and flags contradicting rows', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'readers-unisrec-'));
    try {
      const header = 'user_id:token\titem_id_list:token_seq\titem_id:token\n';
      // User 0: 0 1 2 3 4 (valid/test lines present). User 1: train only, rows out of order.
      // User 0's last train row contradicts the sequence.
      writeFileSync(
        join(tmp, 'X.train.inter'),
        header + '0\t0 1\t2\n0\t0\t1\n1\t7 8\t9\n1\t7\t8\n0\t5 5\t5\n',
      );
      writeFileSync(join(tmp, 'X.valid.inter'), header + '0\t0 1 2\t3\n');
      writeFileSync(join(tmp, 'X.test.inter'), header + '0\t0 1 2 3\t4\n');
      const raw = await readUnisrec({ dir: tmp });
      expect(raw.interactions.map((e) => `${e.user}:${e.item}`)).toEqual([
        '0:0', '0:1', '0:2', '0:3', '0:4', '1:7', '1:8', '1:9',
      ]); // prettier-ignore
      expect(raw.items.map((it) => it.id)).toEqual(['0', '1', '2', '3', '4', '7', '8', '9']);
      expect(raw.report.malformed).toBe(1);
      expect(raw.report.malformedSamples[0]).toMatchObject({
        file: join(tmp, 'X.train.inter'),
        line: 6,
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('reconstructSequence', () => {
  const row = (history: string, target: string, line = 0): PrefixRow => ({
    history: history === '' ? [] : history.split(' '),
    target,
    file: 'f',
    line,
  });

  it('follows truncated histories (max length 3) in any row order', () => {
    const rows = [
      row('c d e', 'f'),
      row('a', 'b'),
      row('a b c', 'd'),
      row('a b', 'c'),
      row('b c d', 'e'),
    ];
    expect(reconstructSequence(rows)).toEqual({
      sequence: ['a', 'b', 'c', 'd', 'e', 'f'],
      unused: [],
    });
  });

  it('handles repeated items and reports rows that do not chain', () => {
    const rows = [row('x', 'x', 1), row('x x', 'y', 2), row('q', 'r', 3)];
    expect(reconstructSequence(rows)).toEqual({ sequence: ['x', 'x', 'y'], unused: [rows[2]] });
  });
});
