import {
  chartTitle,
  firstSeen,
  requireFinite,
  requireNonEmpty,
  requireText,
} from './internal/spec';
import { renderSvg, type ChartSpec } from './render';

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
  /**
   * Panel to draw this series in. Series in different panels get stacked plots
   * with their own y scales and the panel name as y-axis title (e.g. a training
   * loss above validation metrics); `yLabel` titles a single-panel chart.
   */
  panel?: string;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
}

/** Lines with a point per observation (e.g. a learning curve), optionally in stacked panels. */
export function lineChartSpec(options: LineChartOptions): ChartSpec {
  requireText(options.xLabel, 'xLabel');
  requireText(options.yLabel, 'yLabel');
  const values = requireNonEmpty(options.series, 'series').flatMap((s, si) => {
    requireText(s.name, `series[${si}].name`);
    return requireNonEmpty(s.points, `series[${si}].points`).map((p, pi) => ({
      series: s.name,
      panel: s.panel ?? '',
      x: requireFinite(p.x, `series[${si}].points[${pi}].x`),
      y: requireFinite(p.y, `series[${si}].points[${pi}].y`),
    }));
  });
  const names = firstSeen(values.map((v) => v.series));
  const panels = firstSeen(values.map((v) => v.panel));
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: names, scheme: 'tableau10' },
    legend: { orient: 'right' },
  };
  // Epochs and other counts get whole-number ticks, not 1.0, 1.5, 2.0.
  const xAxis = values.every((v) => Number.isInteger(v.x)) ? { format: 'd', tickMinStep: 1 } : {};
  const plot = (yTitle: string, xTitle: string | null, height: number) => ({
    width: 520,
    height,
    mark: { type: 'line', point: { size: 20 }, strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, axis: xAxis },
      y: { field: 'y', type: 'quantitative', title: yTitle },
      color,
      tooltip: [
        { field: 'series', title: 'series' },
        { field: 'x', title: options.xLabel },
        { field: 'y', title: yTitle, format: '.4f' },
      ],
    },
  });
  const title = chartTitle(options.title, options.subtitle);
  if (panels.length === 1)
    return { title, data: { values }, ...plot(options.yLabel, options.xLabel, 280) } as ChartSpec;
  // One plot per panel, stacked on a shared x axis; the panel name is its y-axis title.
  return {
    title,
    data: { values },
    vconcat: panels.map((panel, i) => ({
      transform: [{ filter: { field: 'panel', equal: panel } }],
      ...plot(panel, i === panels.length - 1 ? options.xLabel : null, 180),
    })),
    resolve: { scale: { x: 'shared', y: 'independent', color: 'shared' } },
  } as ChartSpec;
}

/** The line chart as a standalone SVG document. */
export function lineChart(options: LineChartOptions): Promise<string> {
  return renderSvg(lineChartSpec(options));
}
