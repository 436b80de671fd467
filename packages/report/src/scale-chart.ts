import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  chartTitle,
  firstSeen,
  requireFinite,
  requireNonEmpty,
  requireText,
} from './internal/spec';
import { renderSvg, type ChartSpec } from './render';

export interface ScalePoint {
  /** Pipeline stage, e.g. 'load + 5-core', 'SASRec epoch', 'evaluation'. */
  stage: string;
  users: number;
  seconds: number;
}

export interface ScaleChartOptions {
  title: string;
  subtitle?: string;
  rows: ScalePoint[];
  /** Log-log axes (straight lines are power laws); true by default. */
  logScale?: boolean;
}

/** Time against number of users, one line per stage (the scale benchmark). */
export function scaleChartSpec(options: ScaleChartOptions): ChartSpec {
  const log = options.logScale ?? true;
  const values = requireNonEmpty(options.rows, 'rows').map((r, ri) => {
    const row = {
      stage: requireText(r.stage, `rows[${ri}].stage`),
      users: requireFinite(r.users, `rows[${ri}].users`),
      seconds: requireFinite(r.seconds, `rows[${ri}].seconds`),
    };
    if (row.users <= 0 || row.seconds < 0 || (log && row.seconds === 0))
      throw new InvalidArgumentError(
        `rows[${ri}] needs users > 0 and seconds ${log ? '> 0 on log axes' : '>= 0'}, got users ${row.users}, seconds ${row.seconds}`,
      );
    return row;
  });
  const stages = firstSeen(values.map((v) => v.stage));
  return {
    title: chartTitle(options.title, options.subtitle),
    data: { values },
    width: 520,
    height: 300,
    mark: { type: 'line', point: { size: 30 } },
    encoding: {
      x: {
        field: 'users',
        type: 'quantitative',
        title: 'users',
        scale: log ? { type: 'log' } : {},
        // Ticks at the measured sizes, not at log-scale defaults between them.
        axis: {
          values: [...new Set(values.map((v) => v.users))].sort((a, b) => a - b),
          format: ',d',
        },
      },
      y: {
        field: 'seconds',
        type: 'quantitative',
        title: 'time (s)',
        scale: log ? { type: 'log' } : {},
      },
      color: {
        field: 'stage',
        type: 'nominal',
        title: 'stage',
        scale: { domain: stages, scheme: 'tableau10' },
      },
      tooltip: [
        { field: 'stage' },
        { field: 'users', format: ',d' },
        { field: 'seconds', format: '.2f' },
      ],
    },
  } as ChartSpec;
}

/** The scale chart as a standalone SVG document. */
export function scaleChart(options: ScaleChartOptions): Promise<string> {
  return renderSvg(scaleChartSpec(options));
}
