import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHint, looksLikeSequences, sniffLines } from './sniff';

describe('sniffLines and the hints it gives', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ts-sniff-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const shapeOf = async (text: string) => {
    const path = join(dir, 'f.txt');
    await writeFile(path, text);
    return sniffLines(path);
  };

  it('counts field shapes over the first lines, ignoring blanks', async () => {
    const shape = await shapeOf('u1 a b\n\nu2 a\n{"a": 1}\nx,y,z\nu3 a b c d\n');
    expect(shape).toEqual({
      lines: 5,
      twoFields: 2,
      moreFields: 2,
      distinctWide: 2,
      json: 1,
      csv: 1,
    });
  });

  it('looks at no more than 200 lines and drops a line cut by the 64 KiB window', async () => {
    const many = Array.from({ length: 500 }, (_, i) => `u${i} a b`).join('\n');
    expect((await shapeOf(many)).lines).toBe(200);
    const wide = 'u ' + 'item '.repeat(20000); // one 100 kB line, longer than the window
    expect((await shapeOf(wide)).lines).toBe(1);
  });

  it('hints at the layout the lines have', async () => {
    const seq = await shapeOf('1 2 3 4\n2 5 6\n3 7 8 9 10\n');
    expect(looksLikeSequences(seq)).toBe(true);
    expect(formatHint(seq, 'pairs')).toMatch(/one sequence per user.*--format sequences/);
    expect(formatHint(seq, 'sequences')).toBeUndefined();
    const pairs = await shapeOf('1 2\n1 3\n2 5\n');
    expect(formatHint(pairs, 'sequences')).toMatch(/--format pairs/);
    expect(formatHint(await shapeOf('{"a":1}\n{"b":2}\n'), 'pairs')).toMatch(/JSON objects/);
    expect(formatHint(await shapeOf('1,2\n1,3\n'), 'pairs')).toMatch(/comma-separated/);
    const table = await shapeOf('1 2 5 100\n1 3 4 101\n2 5 3 102\n');
    expect(looksLikeSequences(table)).toBe(false);
    expect(formatHint(table, 'pairs')).toMatch(/same number of fields/);
  });
});
