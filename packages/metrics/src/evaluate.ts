import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  bootstrapMeans,
  pairedCompare,
  type BootstrapOptions,
  type Interval,
  type PairedComparison,
} from './bootstrap';
import { METRICS, perCase, type MetricName } from './metrics';
import { rankOfTarget } from './rank';

/** Metrics of one method on one split, each with a 95% (or `level`) bootstrap interval over users. */
export interface MetricReport {
  cases: number;
  metrics: Record<MetricName, Interval>;
  bootstrap: { resamples: number; seed: number | string; level: number };
}

/** One scored evaluation case. */
export interface ScoredCase {
  scores: ArrayLike<number>;
  targetIndex: number;
}

export function ranksOf(cases: ScoredCase[]): Int32Array {
  return Int32Array.from(cases, (c) => rankOfTarget(c.scores, c.targetIndex));
}

export function reportFromRanks(
  ranks: ArrayLike<number>,
  options: BootstrapOptions = {},
): MetricReport {
  if (ranks.length === 0) throw new InvalidArgumentError('no evaluation cases to report on');
  const series = METRICS.map((m) => perCase(m, ranks));
  const intervals = bootstrapMeans(series, options);
  const metrics = Object.fromEntries(METRICS.map((m, i) => [m, intervals[i]])) as Record<
    MetricName,
    Interval
  >;
  return {
    cases: ranks.length,
    metrics,
    bootstrap: {
      resamples: options.resamples ?? 1000,
      seed: options.seed ?? 0,
      level: options.level ?? 0.95,
    },
  };
}

/** Paired tests of method A against method B on every metric (same cases, same order). */
export function compareRanks(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: BootstrapOptions & { permutations?: number } = {},
): Record<MetricName, PairedComparison> {
  return Object.fromEntries(
    METRICS.map((m) => [m, pairedCompare(perCase(m, a), perCase(m, b), options)]),
  ) as Record<MetricName, PairedComparison>;
}
