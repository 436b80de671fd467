import type { CandidateScorer, FitInput } from './scorer';

export function itemCounts({ sequences, numItems }: FitInput): Float64Array {
  const counts = new Float64Array(numItems);
  for (const s of sequences) for (let i = 0; i < s.length; i++) counts[s[i]]++;
  return counts;
}

/** Scores each candidate by how often it occurs in the fitting sequences. */
export function popularityScorer(fit: FitInput): CandidateScorer {
  const counts = itemCounts(fit);
  return {
    name: 'popularity',
    score: ({ candidates }) => Float64Array.from(candidates, (c) => counts[c]),
    scoreAll: (_input, out) => out.set(counts),
  };
}
