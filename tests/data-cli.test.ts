import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, SHARED_DATA, tempDir } from './helpers';

/** all-beauty-2018 rewritten as one "user item item ..." line per user (the P5 / IDGenRec layout). */
async function allBeautyAsSequences(): Promise<string> {
  const dir = join(await tempDir('ts-data-cli-'), 'beauty-seq');
  const src = join(SHARED_DATA, 'all-beauty-2018');
  const byUser = new Map<string, string[]>();
  for (const line of (await readFile(join(src, 'All_Beauty.txt'), 'utf8')).split('\n')) {
    const [user, item] = line.trim().split(/\s+/);
    if (user && item) byUser.set(user, [...(byUser.get(user) ?? []), item]);
  }
  await mkdir(dir);
  await writeFile(
    join(dir, 'All_Beauty.txt'),
    [...byUser].map(([u, items]) => `${u} ${items.join(' ')}\n`).join(''),
  );
  await symlink(join(src, 'All_Beauty_items.jsonl'), join(dir, 'All_Beauty_items.jsonl'));
  return dir;
}

/** sha256 of each file of a prepared folder (jest compares large Buffers slowly). */
function snapshot(dir: string): Promise<string[]> {
  return Promise.all(
    ['manifest.json', 'interactions.arrow', 'items.arrow', 'users.arrow'].map(async (f) =>
      createHash('sha256')
        .update(await readFile(join(dir, f)))
        .digest('hex'),
    ),
  );
}

describe('thoughtspace data prepare: formats and errors that tell the truth', () => {
  let seqDir: string;
  beforeAll(async () => {
    seqDir = await allBeautyAsSequences();
  });

  it('detects one sequence per line and gives the pairs form figures', async () => {
    const out = join(await tempDir(), 'out');
    const r = await runCli(['data', 'prepare', '--dataset', seqDir, '--kcore', '0', '--out', out]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/reader sequences/);
    expect(r.stdout).toMatch(/final\s+2,169\s+1,854\s+8,599/);
    expect(r.stdout).toMatch(/malformed lines: 0 of/);
  });

  it('fails a mostly-malformed read at --kcore 0 with the report and a format hint, writing nothing', async () => {
    const out = join(await tempDir(), 'out');
    const args = ['data', 'prepare', '--dataset', seqDir, '--format', 'pairs', '--kcore', '0'];
    const r = await runCli([...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /data lines \(\d+\.\d%\) in .* are malformed, more than the 10\.0% allowed/,
    );
    expect(r.stderr).toMatch(
      /All_Beauty\.txt:1: expected 2 whitespace-separated fields \(user item\), got \d+/,
    );
    expect(r.stderr).toContain('hint: lines look like one sequence per user');
    expect(r.stderr).toContain('use --format sequences');
    expect(r.stderr).not.toMatch(/kcore|k-core|\n\s+at /);
    expect(existsSync(out)).toBe(false);
    expect(await readdir(join(out, '..'))).toEqual([]);
    // --max-malformed 1 accepts it: the user decides, and the report says what was skipped.
    const lenient = await runCli([...args, '--max-malformed', '1', '--out', out]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/malformed lines: [\d,]+ of [\d,]+ \(skipped/);
  });

  it('says nothing was parsed and shows the first malformed lines instead of blaming k-core', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'ratings.txt'), '1,10,5\n1,11,4\n2,10,3\n');
    const r = await runCli([
      'data',
      'prepare',
      '--dataset',
      dir,
      '--kcore',
      '0',
      '--out',
      join(dir, 'out'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /no interactions could be read from .*ratings\.txt \(3 data lines, 3 malformed\)/,
    );
    expect(r.stderr).toMatch(
      /ratings\.txt:1: expected 2 whitespace-separated fields \(user item\), got 1/,
    );
    expect(r.stderr).toMatch(/ratings\.txt:3: /);
    expect(r.stderr).toContain('hint: lines look like comma-separated values');
    expect(r.stderr).not.toMatch(/lower --kcore|kcore|\n\s+at /);
    // Reasons and positions only: never the lines' content.
    expect(r.stderr).not.toContain('1,10,5');
  });

  it('rejects a bad --max-malformed and --format by name', async () => {
    const out = join(await tempDir(), 'out');
    const bad = await runCli([
      'data',
      'prepare',
      '--dataset',
      seqDir,
      '--max-malformed',
      '2',
      '--out',
      out,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-malformed must be a number from 0 to 1');
    const fmt = await runCli([
      'data',
      'prepare',
      '--dataset',
      seqDir,
      '--format',
      'csv',
      '--out',
      out,
    ]);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/--format.*csv.*pairs, sequences/);
  });
});

describe('thoughtspace data prepare: writes atomically, loads only what it wrote', () => {
  it('fails an unwritable --out before reading, in one line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), '');
    const out = join(dir, 'a-file', 'dataset');
    const r = await runCli(['data', 'prepare', '--dataset', 'games-sasrec-2014', '--out', out]);
    expect(r.code).not.toBe(0);
    // Nothing was loaded (the "loading" line comes before the read) and no stack trace.
    expect(r.stderr).toBe(
      `thoughtspace: cannot write ${out}: a path component is not a folder (at ${out})\n`,
    );
  });

  it('refuses an --out folder holding other files instead of deleting them', async () => {
    const out = await tempDir();
    await writeFile(join(out, 'notes.md'), 'mine');
    const r = await runCli(['data', 'prepare', '--dataset', 'all-beauty-2018', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${out} exists and holds files that are not a prepared dataset's (notes.md)`,
    );
    expect(await readdir(out)).toEqual(['notes.md']);
  });

  it('keeps the old folder whole when a re-prepare fails, and refuses a tampered file by name', async () => {
    const out = join(await tempDir(), 'beauty');
    const first = await runCli(['data', 'prepare', '--dataset', 'all-beauty-2018', '--out', out]);
    expect(first.code).toBe(0);
    const before = await snapshot(out);
    const oldInteractions = await readFile(join(out, 'interactions.arrow'));
    const broken = await tempDir();
    await writeFile(join(broken, 'data.txt'), 'a b c\nd e f g\n');
    const failed = await runCli([
      'data',
      'prepare',
      '--dataset',
      broken,
      '--format',
      'pairs',
      '--out',
      out,
    ]);
    expect(failed.code).toBe(2);
    expect(await snapshot(out)).toEqual(before);
    expect(await readdir(join(out, '..'))).toEqual(['beauty']); // no staging folder left behind

    // A successful re-prepare replaces the folder; a file changed afterwards is refused by name.
    const again = await runCli([
      'data',
      'prepare',
      '--dataset',
      'all-beauty-2018',
      '--kcore',
      '5',
      '--out',
      out,
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')).report.final.users).toBe(
      136,
    );
    await writeFile(join(out, 'interactions.arrow'), oldInteractions);
    const load = await runCli([
      'data',
      'prepare',
      '--dataset',
      out,
      '--out',
      join(out, '..', 'copy'),
    ]);
    expect(load.code).not.toBe(0);
    expect(load.stderr).toMatch(
      /interactions\.arrow: sha256 [0-9a-f]{12}\.\.\. .* does not match the manifest's/,
    );
    expect(load.stderr).not.toMatch(/\n\s+at /);
  });
});
