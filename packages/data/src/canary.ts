import { createRng } from '@thoughtspace/runtime';
import type { EvaluationSet } from './candidates';

/**
 * The leakage canary's input: the same cases and candidate sets, with each
 * case's ground truth replaced by a seeded random candidate (including,
 * possibly, the true one). A pipeline that never reads the label scores the
 * same candidates the same way, so its HR@1 against these labels is chance
 * (1/|candidates|); a pipeline that leaks the label follows it and stays high.
 */
export function permuteLabels(set: EvaluationSet, seed: number): EvaluationSet {
  const rng = createRng(`canary|${set.datasetHash}|${set.split}|${seed}`);
  const candidates = set.candidates.map((c) => ({
    items: c.items,
    targetIndex: rng.int(c.items.length),
  }));
  const cases = set.cases.map((c, i) => ({
    ...c,
    target: candidates[i].items[candidates[i].targetIndex],
  }));
  return { ...set, cases, candidates };
}
