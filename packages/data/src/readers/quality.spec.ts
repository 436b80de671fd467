import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { readPairs, readPairsWithItems } from './pairs';
import { checkReadReport, DEFAULT_MAX_MALFORMED } from './quality';

describe('checkReadReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ts-quality-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const pairsOf = async (text: string) => {
    const path = join(dir, 'data.txt');
    await writeFile(path, text);
    return readPairs({ pairs: path });
  };

  it('passes a read with malformed lines up to the allowed share (default 10%)', async () => {
    expect(DEFAULT_MAX_MALFORMED).toBe(0.1);
    const lines = Array.from({ length: 9 }, (_, i) => `u${i} i${i}`).concat(['broken']);
    await expect(checkReadReport(await pairsOf(lines.join('\n')))).resolves.toBeUndefined();
  });

  it('fails above the share with the report and a format hint', async () => {
    const raw = await pairsOf('u1 a b c\nu2 a\nu3 b c d e\nu4 a b\n');
    const run = checkReadReport(raw);
    await expect(run).rejects.toThrow(InvalidArgumentError);
    const message = await checkReadReport(raw).catch((e: Error) => e.message);
    expect(message).toContain('3 of 4 data lines (75.0%)');
    expect(message).toContain('more than the 10.0% allowed');
    expect(message).toContain(`${join(dir, 'data.txt')}:1: expected 2 whitespace-separated fields`);
    expect(message).toMatch(/hint: .*--format sequences/);
    // A higher limit lets the same read through.
    await expect(checkReadReport(raw, { maxMalformed: 0.8 })).resolves.toBeUndefined();
  });

  it('judges each file on its own: a clean catalogue does not dilute a broken interactions file', async () => {
    const pairs = join(dir, 'data.txt');
    const items = join(dir, 'data_items.jsonl');
    const good = Array.from({ length: 8 }, (_, i) => `u${i} i${i}`);
    await writeFile(pairs, [...good, 'u8 i1 i2', 'u9 i3 i4 i5'].join('\n'));
    await writeFile(
      items,
      Array.from({ length: 40 }, (_, i) => JSON.stringify({ item_id: i, title: `t${i}` })).join(
        '\n',
      ),
    );
    const raw = await readPairsWithItems({ pairs, items });
    expect(raw.report.malformed / raw.report.lines).toBeLessThan(0.1); // 2 of 50 overall
    expect(raw.report.byFile).toEqual([
      { path: pairs, lines: 10, malformed: 2 },
      { path: items, lines: 40, malformed: 0 },
    ]);
    const message = await checkReadReport(raw).catch((e: Error) => e.message);
    expect(message).toContain(`2 of 10 data lines (20.0%) in ${pairs} are malformed`);
    await expect(checkReadReport(raw, { maxMalformed: 0.2 })).resolves.toBeUndefined();
  });

  it('says when nothing was parsed, with the first malformed lines, and never blames k-core', async () => {
    const raw = await pairsOf('a,b\nc,d\n');
    const message = await checkReadReport(raw, { maxMalformed: 1 }).catch((e: Error) => e.message);
    expect(message).toMatch(
      /^no interactions could be read from .*data\.txt \(2 data lines, 2 malformed\)/,
    );
    expect(message).toContain(
      'data.txt:2: expected 2 whitespace-separated fields (user item), got 1',
    );
    expect(message).toMatch(/hint: lines look like comma-separated values/);
    expect(message).not.toMatch(/kcore|k-core/);
  });

  it('rejects a limit outside [0, 1], naming it', async () => {
    const raw = await pairsOf('u1 a\n');
    await expect(checkReadReport(raw, { maxMalformed: 1.5 })).rejects.toThrow(
      'maxMalformed must be a number from 0 to 1, got 1.5',
    );
  });
});
