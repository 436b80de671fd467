import {
  leaveOneOut,
  type Dataset,
  type EvalCase,
  type LeaveOneOut,
  type SplitName,
} from '@thoughtspace/data';
import { reportFromRanks } from '@thoughtspace/metrics';
import { createProgress, InvalidArgumentError } from '@thoughtspace/runtime';
import type { ScorerRun } from './harness';
import type { CandidateScorer } from './scorer';

/**
 * The `full` protocol without its candidate lists: the ground truth against
 * every item the user never touched. `buildEvaluationSet` spells those lists
 * out (users x items integers, over 1 GB on games-sasrec-2014); this keeps
 * each user's touched items instead and ranks against the whole catalogue.
 */
export interface FullRankingSet {
  split: SplitName;
  protocol: { kind: 'full' };
  seed: number;
  datasetHash: string;
  cases: EvalCase[];
  /** Per case: every item the user ever interacted with (test item included), never a candidate. */
  touched: Int32Array[];
  numItems: number;
}

export function buildFullRankingSet(options: {
  dataset: Dataset;
  datasetHash: string;
  split: SplitName;
  seed: number;
  loo?: LeaveOneOut;
}): FullRankingSet {
  const { dataset, split } = options;
  const loo = options.loo ?? leaveOneOut(dataset);
  const cases = split === 'test' ? loo.test : loo.valid;
  return {
    split,
    protocol: { kind: 'full' },
    seed: options.seed,
    datasetHash: options.datasetHash,
    cases,
    touched: cases.map((c) => dataset.sequences[c.user]),
    numItems: dataset.itemIds.length,
  };
}

/** The candidate list `buildEvaluationSet` would give one case: the target, then untouched items ascending. */
export function fullCandidates(set: FullRankingSet, i: number): Int32Array {
  const { target } = set.cases[i];
  const skip = new Uint8Array(set.numItems);
  for (const item of set.touched[i]) skip[item] = 1;
  skip[target] = 1;
  const out = [target];
  for (let item = 0; item < set.numItems; item++) if (!skip[item]) out.push(item);
  return Int32Array.from(out);
}

/** 1-based rank of `target` among items not marked in `skip`, ties counted against it (as rankOfTarget). */
export function rankInCatalogue(scores: Float64Array, target: number, skip: Uint8Array): number {
  const t = scores[target];
  if (Number.isNaN(t))
    throw new InvalidArgumentError(`score of the ground truth (item ${target}) is NaN`);
  let above = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i === target || skip[i]) continue;
    const s = scores[i];
    if (s >= t) above++;
    else if (Number.isNaN(s)) throw new InvalidArgumentError(`score of item ${i} is NaN`);
  }
  return above + 1;
}

export interface FullRankingOptions {
  silent?: boolean;
  resamples?: number;
}

/**
 * Full-ranking evaluation of a scorer. A scorer with `scoreAll` fills one
 * row of catalogue scores per user (O(items) time, O(items) memory); any
 * other scorer gets each user's candidate list built on the fly, in the
 * order `buildEvaluationSet` uses, so the ranks are the same either way.
 */
export function evaluateFullRanking(
  set: FullRankingSet,
  scorer: CandidateScorer,
  options: FullRankingOptions = {},
): ScorerRun {
  const started = performance.now();
  const progress = createProgress({
    label: `evaluate ${scorer.name} (full ranking)`,
    total: set.cases.length,
    unit: 'users',
    silent: options.silent,
  });
  const ranks = new Int32Array(set.cases.length);
  const row = new Float64Array(set.numItems);
  const skip = new Uint8Array(set.numItems);
  set.cases.forEach((c, i) => {
    if (scorer.scoreAll) {
      scorer.scoreAll({ user: c.user, history: c.history }, row);
      const touched = set.touched[i];
      for (let j = 0; j < touched.length; j++) skip[touched[j]] = 1;
      ranks[i] = rankInCatalogue(row, c.target, skip);
      for (let j = 0; j < touched.length; j++) skip[touched[j]] = 0;
    } else {
      const candidates = fullCandidates(set, i);
      const scores = scorer.score({ user: c.user, history: c.history, candidates });
      let above = 0;
      for (let j = 1; j < scores.length; j++) if (scores[j] >= scores[0]) above++;
      ranks[i] = above + 1;
    }
    progress.tick();
  });
  progress.done();
  const report = reportFromRanks(ranks, { seed: set.seed, resamples: options.resamples });
  return { method: scorer.name, ranks, report, seconds: (performance.now() - started) / 1000 };
}

/** A full-ranking case as a batched model sees it. */
export interface FullRankingCase extends EvalCase {
  touched: Int32Array;
}

/** Ranks for a batch of cases (e.g. one engine top-k pass per batch). */
export type BatchRanker = (cases: FullRankingCase[]) => Promise<Int32Array>;

/** Like `evaluateFullRanking`, for models that rank a batch of cases at a time. */
export async function evaluateFullRankingBatched(
  set: FullRankingSet,
  method: string,
  rankBatch: BatchRanker,
  options: FullRankingOptions & { batchSize?: number } = {},
): Promise<ScorerRun> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 1024;
  const progress = createProgress({
    label: `evaluate ${method} (full ranking)`,
    total: set.cases.length,
    unit: 'users',
    silent: options.silent,
  });
  const ranks = new Int32Array(set.cases.length);
  for (let start = 0; start < set.cases.length; start += batchSize) {
    const end = Math.min(set.cases.length, start + batchSize);
    const batch = set.cases
      .slice(start, end)
      .map((c, j) => ({ ...c, touched: set.touched[start + j] }));
    const got = await rankBatch(batch);
    if (got.length !== batch.length)
      throw new InvalidArgumentError(
        `${method} returned ${got.length} ranks for ${batch.length} cases`,
      );
    ranks.set(got, start);
    progress.tick(end - start);
  }
  progress.done();
  const report = reportFromRanks(ranks, { seed: set.seed, resamples: options.resamples });
  return { method, ranks, report, seconds: (performance.now() - started) / 1000 };
}
