import { markovScorer, popularityScorer } from '@thoughtspace/baselines';
import type { EvaluationSet } from '@thoughtspace/data';

/** Names of the collaborative features, in order, per candidate. */
export const COLLABORATIVE_FEATURES = [
  'sasrec_logit_centered',
  'log_popularity',
  'log_transitions',
] as const;

/**
 * Collaborative features of every candidate of every case, from models fitted
 * on `fit` (the sequences visible for the split): SASRec logits (centred per
 * case), log(1 + item count), log(1 + transitions from the last item).
 * Returned case-major, [cases][C * 3].
 */
export function collaborativeFeatures(o: {
  set: EvaluationSet;
  fit: { sequences: Int32Array[]; numItems: number };
  sasrecScores: Float64Array[];
}): Float32Array[] {
  const pop = popularityScorer(o.fit);
  const markov = markovScorer(o.fit);
  let sq = 0;
  let n = 0;
  const centred = o.sasrecScores.map((s) => {
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    return Float64Array.from(s, (x) => {
      sq += (x - mean) ** 2;
      n++;
      return x - mean;
    });
  });
  const std = Math.sqrt(sq / Math.max(1, n)) || 1;
  return o.set.cases.map((c, i) => {
    const items = o.set.candidates[i].items;
    const p = pop.score({ user: c.user, history: c.history, candidates: items });
    const m = markov.score({ user: c.user, history: c.history, candidates: items });
    const out = new Float32Array(items.length * 3);
    for (let k = 0; k < items.length; k++) {
      out[k * 3] = centred[i][k] / std;
      out[k * 3 + 1] = Math.log1p(p[k]);
      out[k * 3 + 2] = Math.log1p(Math.floor(m[k]));
    }
    return out;
  });
}
