import { itemCounts } from './popularity';
import type { CandidateScorer, FitInput } from './scorer';

/**
 * First-order item-to-item transitions counted on consecutive pairs of the
 * fitting sequences. A candidate scores count(last history item -> candidate);
 * popularity, scaled below 1, only breaks ties (a back-off, so users whose
 * last item has no recorded transitions still get a sensible order).
 */
export function markovScorer(fit: FitInput): CandidateScorer {
  const next = new Map<number, Map<number, number>>();
  for (const s of fit.sequences) {
    for (let i = 0; i + 1 < s.length; i++) {
      let row = next.get(s[i]);
      if (!row) next.set(s[i], (row = new Map()));
      row.set(s[i + 1], (row.get(s[i + 1]) ?? 0) + 1);
    }
  }
  const pop = itemCounts(fit);
  let maxPop = 0;
  for (const c of pop) maxPop = Math.max(maxPop, c);
  const tieBreak = 1 / (maxPop + 1);
  const base = Float64Array.from(pop, (p) => p * tieBreak);
  return {
    name: 'markov',
    score({ history, candidates }) {
      const row = history.length ? next.get(history[history.length - 1]) : undefined;
      return Float64Array.from(candidates, (c) => (row?.get(c) ?? 0) + pop[c] * tieBreak);
    },
    scoreAll({ history }, out) {
      // 0 + x === x, so untouched entries equal `score`'s values bit for bit.
      out.set(base);
      const row = history.length ? next.get(history[history.length - 1]) : undefined;
      if (row) for (const [c, n] of row) out[c] = n + pop[c] * tieBreak;
    },
  };
}
