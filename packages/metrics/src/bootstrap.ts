import { createRng, InvalidArgumentError } from '@thoughtspace/runtime';
import { mean } from './metrics';

export interface Interval {
  mean: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Seed for the resampling stream. */
  seed?: number | string;
  /** Confidence level (default 0.95). */
  level?: number;
}

/**
 * Means of `resamples` bootstrap resamples over the n cases. The same drawn
 * indices serve every series passed in, so all metrics of one report share
 * their resamples.
 */
function resampleMeans(values: ArrayLike<number>[], options: BootstrapOptions): Float64Array[] {
  const B = options.resamples ?? 1000;
  const n = values[0]?.length ?? 0;
  if (n === 0) throw new InvalidArgumentError('cannot bootstrap over zero cases');
  const rng = createRng(`bootstrap|${options.seed ?? 0}`);
  const out = values.map(() => new Float64Array(B));
  for (let b = 0; b < B; b++) {
    const sums = new Float64Array(values.length);
    for (let i = 0; i < n; i++) {
      const j = rng.int(n);
      for (let v = 0; v < values.length; v++) sums[v] += values[v][j];
    }
    for (let v = 0; v < values.length; v++) out[v][b] = sums[v] / n;
  }
  return out;
}

function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function interval(pointMean: number, draws: Float64Array, level: number): Interval {
  const sorted = Float64Array.from(draws).sort();
  const alpha = (1 - level) / 2;
  return { mean: pointMean, low: percentile(sorted, alpha), high: percentile(sorted, 1 - alpha) };
}

/** Percentile bootstrap interval of the mean over cases (users), seeded. */
export function bootstrapMeans(
  values: ArrayLike<number>[],
  options: BootstrapOptions = {},
): Interval[] {
  const draws = resampleMeans(values, options);
  return values.map((v, i) => interval(mean(v), draws[i], options.level ?? 0.95));
}

export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): Interval {
  return bootstrapMeans([values], options)[0];
}

export interface PairedComparison {
  /** mean(a) - mean(b) with its bootstrap interval. */
  difference: Interval;
  /** Two-sided p-value of the paired randomization (sign-flip) test. */
  pValue: number;
  cases: number;
}

/**
 * Compare two methods on the same cases: a paired bootstrap interval of the
 * mean difference and a paired randomization test (each case's difference
 * flips sign with probability 1/2 under the null). p uses the (r + 1)/(R + 1)
 * correction so it is never 0.
 */
export function pairedCompare(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: BootstrapOptions & { permutations?: number } = {},
): PairedComparison {
  if (a.length !== b.length) {
    throw new InvalidArgumentError(
      `paired comparison needs the same cases: ${a.length} vs ${b.length}`,
    );
  }
  const n = a.length;
  const diff = Float64Array.from({ length: n }, (_, i) => a[i] - b[i]);
  const difference = bootstrapMean(diff, options);
  const observed = Math.abs(mean(diff));
  const R = options.permutations ?? 2000;
  const rng = createRng(`randomization|${options.seed ?? 0}`);
  let extreme = 0;
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rng.nextUint32() & 1 ? diff[i] : -diff[i];
    if (Math.abs(s / n) >= observed - 1e-12) extreme++;
  }
  return { difference, pValue: (extreme + 1) / (R + 1), cases: n };
}
