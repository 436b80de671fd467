import type { EvaluationSet } from '@thoughtspace/data';
import { rankOfTarget, reportFromRanks, type MetricReport } from '@thoughtspace/metrics';
import { createProgress, InvalidArgumentError } from '@thoughtspace/runtime';
import type { CandidateScorer } from './scorer';

export interface ScorerRun {
  method: string;
  /** 1-based rank of the ground truth per case, aligned with the evaluation set's cases. */
  ranks: Int32Array;
  report: MetricReport;
  seconds: number;
}

/** Score every case of an evaluation set and report metrics with bootstrap CIs (seeded by the set's seed). */
export function evaluateScorer(
  set: EvaluationSet,
  scorer: CandidateScorer,
  options: { silent?: boolean; resamples?: number } = {},
): ScorerRun {
  const started = performance.now();
  const progress = createProgress({
    label: `evaluate ${scorer.name}`,
    total: set.cases.length,
    unit: 'users',
    silent: options.silent,
  });
  const ranks = new Int32Array(set.cases.length);
  set.cases.forEach((c, i) => {
    const { items, targetIndex } = set.candidates[i];
    const scores = scorer.score({ user: c.user, history: c.history, candidates: items });
    if (scores.length !== items.length) {
      throw new InvalidArgumentError(
        `${scorer.name} returned ${scores.length} scores for ${items.length} candidates`,
      );
    }
    ranks[i] = rankOfTarget(scores, targetIndex);
    progress.tick();
  });
  progress.done();
  const report = reportFromRanks(ranks, { seed: set.seed, resamples: options.resamples });
  return { method: scorer.name, ranks, report, seconds: (performance.now() - started) / 1000 };
}
