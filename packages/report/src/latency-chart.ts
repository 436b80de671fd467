import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  chartTitle,
  firstSeen,
  requireFinite,
  requireNonEmpty,
  requireText,
} from './internal/spec';
import { renderSvg, type ChartSpec } from './render';

export interface LatencyPercentiles {
  /** What was measured, e.g. 'gateway Recommend' or a deployment variant. */
  series: string;
  /**
   * Offered load of this measurement (requests/s, concurrency, ...). Give it on
   * every row to plot latency against load, or on none for one bar per percentile.
   */
  load?: number;
  /** Latency in milliseconds by percentile name: { p50: 4.1, p90: 7.9, p99: 15, 'p99.9': 31 }. */
  percentiles: Record<string, number>;
}

export interface LatencyChartOptions {
  title: string;
  subtitle?: string;
  /** x-axis title when rows carry `load`; 'offered load (requests/s)' by default. */
  loadLabel?: string;
  /** Log-scale the latency axis (tails far above the median); false by default. */
  logScale?: boolean;
  rows: LatencyPercentiles[];
}

const PERCENTILE = /^p(\d+(\.\d+)?)$/;

/** Latency percentiles of load tests and benchmarks, in milliseconds. */
export function latencyPercentilesChartSpec(options: LatencyChartOptions): ChartSpec {
  const rows = requireNonEmpty(options.rows, 'rows');
  const withLoad = rows.filter((r) => r.load !== undefined).length;
  if (withLoad !== 0 && withLoad !== rows.length)
    throw new InvalidArgumentError(
      `rows[].load must be given on every row or on none (${withLoad} of ${rows.length} have it)`,
    );
  const values = rows.flatMap((r, ri) => {
    requireText(r.series, `rows[${ri}].series`);
    if (r.load !== undefined) requireFinite(r.load, `rows[${ri}].load`);
    const entries = Object.entries(r.percentiles ?? {});
    if (entries.length === 0)
      throw new InvalidArgumentError(`rows[${ri}].percentiles must name at least one percentile`);
    return entries.map(([name, ms]) => {
      const m = PERCENTILE.exec(name);
      if (!m)
        throw new InvalidArgumentError(
          `rows[${ri}].percentiles key must look like p50 or p99.9, got ${JSON.stringify(name)}`,
        );
      const at = `rows[${ri}].percentiles.${name}`;
      if (requireFinite(ms, at) < 0 || (options.logScale && ms === 0))
        throw new InvalidArgumentError(
          `${at} must be ${options.logScale ? '> 0 on a log scale' : '>= 0'}, got ${ms}`,
        );
      return { series: r.series, load: r.load, percentile: name, rank: Number(m[1]), ms };
    });
  });
  const percentiles = [...new Set(values.map((v) => v.percentile))].sort(
    (a, b) => Number(a.slice(1)) - Number(b.slice(1)),
  );
  const series = firstSeen(values.map((v) => v.series));
  const y = {
    field: 'ms',
    type: 'quantitative',
    title: 'latency (ms)',
    scale: options.logScale ? { type: 'log' } : {},
  };
  const tooltip = [
    { field: 'series', title: 'series' },
    { field: 'percentile', title: 'percentile' },
    ...(withLoad ? [{ field: 'load', title: options.loadLabel ?? 'load' }] : []),
    { field: 'ms', title: 'ms', format: '.2f' },
  ];
  const title = chartTitle(options.title, options.subtitle);
  if (withLoad > 0)
    return {
      title,
      data: { values },
      width: 520,
      height: 300,
      mark: { type: 'line', point: { size: 30 } },
      encoding: {
        x: {
          field: 'load',
          type: 'quantitative',
          title: options.loadLabel ?? 'offered load (requests/s)',
        },
        y,
        color: {
          field: 'percentile',
          type: 'ordinal',
          sort: percentiles,
          scale: { scheme: 'oranges', reverse: false },
        },
        ...(series.length > 1
          ? {
              strokeDash: {
                field: 'series',
                type: 'nominal',
                sort: series,
                title: null,
                legend: {
                  symbolType: 'stroke',
                  symbolStrokeWidth: 2,
                  encode: { symbols: { update: { stroke: { value: '#444' } } } },
                },
              },
            }
          : {}),
        detail: { field: 'series' },
        tooltip,
      },
    } as ChartSpec;
  return {
    title,
    data: { values },
    width: { step: 18, for: 'offset' },
    height: 300,
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'percentile',
        type: 'ordinal',
        sort: percentiles,
        title: 'percentile',
        axis: { labelAngle: 0 },
      },
      xOffset: { field: 'series', type: 'nominal', sort: series },
      y,
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: series, scheme: 'tableau10' },
        legend: { orient: 'bottom' },
      },
      tooltip,
    },
  } as ChartSpec;
}

/** The latency chart as a standalone SVG document. */
export function latencyPercentilesChart(options: LatencyChartOptions): Promise<string> {
  return renderSvg(latencyPercentilesChartSpec(options));
}
