import { join } from 'node:path';
import { reportFromRanks } from '@thoughtspace/metrics';
import { createRng } from '@thoughtspace/runtime';
import { inlineReportRunner, workerReportRunner } from './reports';
import { JoinState, canonicalRanks } from './state';

/** 3,000 joined cases with ranks 1..10 in a shuffled arrival order. */
function joined(): JoinState {
  const rng = createRng('reports-spec');
  const s = new JoinState({ window: 500 });
  const candidates = Array.from({ length: 10 }, (_, i) => `item${i}`);
  for (let i = 0; i < 3000; i++) {
    const id = `r${rng.int(1_000_000)}-${i}`;
    const user = `u${rng.int(100_000)}`;
    const scores = candidates.map(() => rng.next());
    s.add({ kind: 'prediction', requestId: id, userId: user, at: i, candidates, scores });
    s.add({ kind: 'interaction', requestId: id, userId: user, at: i, itemId: `item${i % 10}` });
  }
  return s;
}

describe('report runners', () => {
  it('the worker thread reports exactly what the event loop computes', async () => {
    const s = joined();
    const bootstrap = { seed: 1, resamples: 300 };
    const worker = workerReportRunner();
    try {
      const { reports: off, ms } = await worker.run(s.joinedCases(), s.window, bootstrap);
      const { reports: inline } = await inlineReportRunner().run(
        s.joinedCases(),
        s.window,
        bootstrap,
      );
      expect(ms).toBeGreaterThan(0);
      expect(off).toEqual(inline);
      expect(off.cumulative).toEqual(reportFromRanks(s.ranks(), bootstrap));
      expect(off.cumulative!.cases).toBe(3000);
      expect(off.window).toEqual(reportFromRanks(canonicalRanks(s.joinedCases(), 500), bootstrap));
      // Requests are answered in order, each for its own copy of the cases.
      const [a, b] = await Promise.all([
        worker.run(s.joinedCases(), 10, bootstrap),
        worker.run(s.joinedCases(), 20, bootstrap),
      ]);
      expect([a.reports.window!.cases, b.reports.window!.cases]).toEqual([10, 20]);
    } finally {
      await worker.close();
    }
  });

  it('names the missing worker script instead of failing silently', async () => {
    const script = join(__dirname, 'no-such-worker.js');
    const runner = workerReportRunner({ script });
    await expect(async () =>
      runner.run(joined().joinedCases(), 10, { seed: 1, resamples: 10 }),
    ).rejects.toThrow(`report worker ${script} is missing`);
  });
});
