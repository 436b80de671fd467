import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Prepared } from '@thoughtspace/data';
import { reportFromRanks } from '@thoughtspace/metrics';
import { progressWriter } from './outputs';

describe('progressWriter', () => {
  it('rewrites results.json after each stage with every row so far, marked incomplete', async () => {
    const out = await mkdtemp(join(tmpdir(), 'ts-progress-'));
    const manifest = {
      name: 'tiny',
      hash: 'a'.repeat(64),
      report: { final: { users: 2, items: 3, interactions: 6 } },
      options: {},
      tool: { name: 'thoughtspace', version: '0' },
    } as unknown as Prepared['manifest'];
    const progress = progressWriter({
      out,
      prepared: { manifest } as Prepared,
      protocol: { kind: 'sampled', negatives: 9 },
      seed: 3,
      provider: 'embedded',
      command: 'thoughtspace run',
      started: performance.now(),
    });
    const row = (name: string, ranks: number[]) => {
      const r = Int32Array.from(ranks);
      const report = reportFromRanks(r, { seed: 1, resamples: 20 });
      return {
        name,
        provider: 'none',
        report,
        run: { method: name, ranks: r, report, seconds: 1 },
      };
    };
    await progress.write('baselines', [row('popularity', [0, 3])]);
    const first = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(first).toMatchObject({ complete: false, stagesDone: ['baselines'], seeds: [3] });
    expect(first.methods.map((m: { method: string }) => m.method)).toEqual(['popularity']);
    await progress.write('sasrec', [row('popularity', [0, 3]), row('sasrec', [0, 0])]);
    const second = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(second.stagesDone).toEqual(['baselines', 'sasrec']);
    expect(second.methods[1]).toMatchObject({ method: 'sasrec', cases: 2, seed: 3 });
    expect(second.methods[1].metrics['HR@1'].mean).toBe(1);
    expect(second.peakRssMiB).toBeGreaterThan(10);
  });
});
