/** The metrics every report carries, in this order. */
export const METRICS = ['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR'] as const;
export type MetricName = (typeof METRICS)[number];

export function hitAt(rank: number, k: number): number {
  return rank <= k ? 1 : 0;
}

/** NDCG@k with one relevant item: 1 / log2(rank + 1) within the cut-off, else 0. */
export function ndcgAt(rank: number, k: number): number {
  return rank <= k ? 1 / Math.log2(rank + 1) : 0;
}

/** Reciprocal rank (uncut). */
export function reciprocalRank(rank: number): number {
  return 1 / rank;
}

export function metricValue(name: MetricName, rank: number): number {
  switch (name) {
    case 'HR@1':
      return hitAt(rank, 1);
    case 'HR@5':
      return hitAt(rank, 5);
    case 'HR@10':
      return hitAt(rank, 10);
    case 'NDCG@5':
      return ndcgAt(rank, 5);
    case 'NDCG@10':
      return ndcgAt(rank, 10);
    case 'MRR':
      return reciprocalRank(rank);
  }
}

/** Per-case values of one metric, aligned with `ranks`. */
export function perCase(name: MetricName, ranks: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: ranks.length }, (_, i) => metricValue(name, ranks[i]));
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : NaN;
}
