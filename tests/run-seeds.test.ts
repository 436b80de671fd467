import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers';

// `run --seeds`: the whole job once per seed, then the table over seeds
// (CI size: baselines and a 6-epoch SASRec; the aggregation and Holm
// correction of paired comparisons are unit-tested in seeds.spec.ts).
describe('thoughtspace run --seeds', () => {
  it('runs every seed into its folder and writes mean ± sd over seeds', async () => {
    const out = join(await tempDir(), 'seeds');
    const r = await runCli([
      'run',
      '--quick',
      '--no-reasoning',
      '--dataset',
      'all-beauty-2018',
      '--out',
      out,
      '--resamples',
      '50',
      '--sasrec-epochs',
      '2',
      '--seeds',
      '1,2',
    ]);
    if (r.code !== 0) throw new Error(`run failed (${r.code}): ${r.stderr.slice(-2000)}`);
    expect(r.stdout).toMatch(/over seeds 1, 2 \(mean ± sd over seeds\)/);
    const perSeed = await Promise.all(
      [1, 2].map(async (s) =>
        JSON.parse(await readFile(join(out, `seed-${s}`, 'results.json'), 'utf8')),
      ),
    );
    expect(perSeed.map((x) => x.seed)).toEqual([1, 2]);
    const table = JSON.parse(await readFile(join(out, 'seeds.json'), 'utf8'));
    expect(table.seeds).toEqual([1, 2]);
    const sasrec = table.methods.find((m: { method: string }) => m.method === 'sasrec');
    const hr1 = perSeed.map(
      (x) => x.methods.find((m: { method: string }) => m.method === 'sasrec').metrics['HR@1'].mean,
    );
    expect(sasrec.metrics['HR@1'].perSeed).toEqual(hr1);
    expect(sasrec.metrics['HR@1'].mean).toBeCloseTo((hr1[0] + hr1[1]) / 2, 12);
    expect(sasrec.metrics['HR@1'].sd).toBeCloseTo(Math.abs(hr1[0] - hr1[1]) / Math.SQRT2, 12);

    const bad = await runCli([
      'run',
      '--dataset',
      'all-beauty-2018',
      '--out',
      out,
      '--seeds',
      '1,x',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--seeds must look like "1,2,3,4,5", got "1,x"/);
  }, 600_000);
});
