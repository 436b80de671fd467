import type { Dataset } from './dataset';
import { sampleCandidates, type CandidateSet, type Protocol } from './sampling';
import { leaveOneOut, type EvalCase, type LeaveOneOut, type SplitName } from './split';

export interface EvaluationSet {
  split: SplitName;
  protocol: Protocol;
  seed: number;
  datasetHash: string;
  cases: EvalCase[];
  candidates: CandidateSet[];
}

/**
 * The evaluation cases of a split with their candidate sets. Negatives
 * exclude the user's whole sequence (test item included), so a negative is
 * never an item the user actually interacted with.
 */
export function buildEvaluationSet(options: {
  dataset: Dataset;
  datasetHash: string;
  split: SplitName;
  protocol: Protocol;
  seed: number;
  loo?: LeaveOneOut;
}): EvaluationSet {
  const { dataset, datasetHash, split, protocol, seed } = options;
  const loo = options.loo ?? leaveOneOut(dataset);
  const cases = split === 'test' ? loo.test : loo.valid;
  const candidates = cases.map((c) =>
    sampleCandidates({
      datasetHash,
      userId: dataset.userIds[c.user],
      split,
      seed,
      target: c.target,
      touched: dataset.sequences[c.user],
      numItems: dataset.itemIds.length,
      protocol,
    }),
  );
  return { split, protocol, seed, datasetHash, cases, candidates };
}
