import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  chartTitle,
  firstSeen,
  requireFinite,
  requireNonEmpty,
  requireText,
} from './internal/spec';
import { renderSvg, type ChartSpec } from './render';

export interface BarValue {
  /** Series name (e.g. a method). */
  series: string;
  value: number;
  /** Optional confidence interval, drawn as an error bar. */
  low?: number;
  high?: number;
}

export interface BarGroup {
  /** Group label on the x axis (e.g. a metric). */
  label: string;
  values: BarValue[];
}

export interface BarChartOptions {
  title: string;
  subtitle?: string;
  yLabel?: string;
  /** Legend title; 'method' by default. */
  seriesLabel?: string;
  groups: BarGroup[];
}

/** Grouped bars (one group per label, one bar per series) with CI error bars where given. */
export function barChartSpec(options: BarChartOptions): ChartSpec {
  const groups = requireNonEmpty(options.groups, 'groups');
  const values = groups.flatMap((g, gi) => {
    requireText(g.label, `groups[${gi}].label`);
    return requireNonEmpty(g.values, `groups[${gi}].values`).map((v, vi) => {
      const at = `groups[${gi}].values[${vi}]`;
      requireText(v.series, `${at}.series`);
      requireFinite(v.value, `${at}.value`);
      if ((v.low === undefined) !== (v.high === undefined))
        throw new InvalidArgumentError(
          `${at} needs both low and high for an error bar, or neither`,
        );
      if (v.low !== undefined) requireFinite(v.low, `${at}.low`);
      if (v.high !== undefined) requireFinite(v.high, `${at}.high`);
      return { group: g.label, series: v.series, value: v.value, low: v.low, high: v.high };
    });
  });
  const series = firstSeen(values.map((v) => v.series));
  const yTitle = options.yLabel ?? 'value';
  const tooltip = [
    { field: 'series', title: options.seriesLabel ?? 'method' },
    { field: 'group', title: 'group' },
    { field: 'value', type: 'quantitative', format: '.4f' },
    { field: 'low', type: 'quantitative', format: '.4f', title: 'CI low' },
    { field: 'high', type: 'quantitative', format: '.4f', title: 'CI high' },
  ] as const;
  return {
    title: chartTitle(options.title, options.subtitle),
    data: { values },
    width: { step: series.length > 6 ? 14 : 20, for: 'offset' },
    height: 300,
    encoding: {
      x: {
        field: 'group',
        type: 'nominal',
        sort: groups.map((g) => g.label),
        title: null,
        axis: { labelAngle: 0, labelFontSize: 12 },
      },
      xOffset: { field: 'series', type: 'nominal', sort: series },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: yTitle },
          color: {
            field: 'series',
            type: 'nominal',
            title: options.seriesLabel ?? 'method',
            // tableau10 repeats past 10 series; the main table has 12 methods.
            scale: { domain: series, scheme: series.length > 10 ? 'tableau20' : 'tableau10' },
            legend: { orient: 'bottom', columns: Math.min(3, series.length) },
          },
          tooltip: [...tooltip],
        },
      },
      {
        transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
        mark: { type: 'errorbar', ticks: { size: 5 }, color: '#222' },
        encoding: {
          y: { field: 'low', type: 'quantitative', title: yTitle },
          y2: { field: 'high' },
        },
      },
    ],
  } as ChartSpec;
}

/** The grouped bar chart as a standalone SVG document. */
export function barChart(options: BarChartOptions): Promise<string> {
  return renderSvg(barChartSpec(options));
}
