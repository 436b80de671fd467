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

/** One case as a batched scorer sees it. */
export interface ScoringCase {
  user: number;
  history: Int32Array;
  candidates: Int32Array;
}

/** A model that scores many cases per call (e.g. one onnxruntime session.run per batch). */
export type BatchScorer = (cases: ScoringCase[]) => Promise<Float64Array[] | Float32Array[]>;

/** Like `evaluateScorer`, for asynchronous models that score a batch of cases at a time. */
export async function evaluateBatched(
  set: EvaluationSet,
  method: string,
  scoreBatch: BatchScorer,
  options: { silent?: boolean; resamples?: number; batchSize?: number } = {},
): Promise<ScorerRun> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 256;
  const progress = createProgress({
    label: `evaluate ${method}`,
    total: set.cases.length,
    unit: 'users',
    silent: options.silent,
  });
  const ranks = new Int32Array(set.cases.length);
  for (let start = 0; start < set.cases.length; start += batchSize) {
    const end = Math.min(set.cases.length, start + batchSize);
    const batch: ScoringCase[] = [];
    for (let i = start; i < end; i++) {
      const c = set.cases[i];
      batch.push({ user: c.user, history: c.history, candidates: set.candidates[i].items });
    }
    const scores = await scoreBatch(batch);
    for (let i = start; i < end; i++) {
      const s = scores[i - start];
      if (!s || s.length !== set.candidates[i].items.length) {
        throw new InvalidArgumentError(
          `${method} returned ${s?.length ?? 0} scores for ${set.candidates[i].items.length} candidates`,
        );
      }
      ranks[i] = rankOfTarget(s, set.candidates[i].targetIndex);
    }
    progress.tick(end - start);
  }
  progress.done();
  const report = reportFromRanks(ranks, { seed: set.seed, resamples: options.resamples });
  return { method, ranks, report, seconds: (performance.now() - started) / 1000 };
}
