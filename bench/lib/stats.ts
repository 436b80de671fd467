/** Latency statistics shared by the benchmarks. */

export interface Quantiles {
  count: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** p50/p99 (nearest rank, no interpolation) and mean of latencies in ms. */
export function quantiles(values: readonly number[]): Quantiles {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return {
    count: s.length,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    meanMs: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
  };
}

/** The median (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
