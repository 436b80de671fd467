import type { Interval } from './bootstrap';
import type { MetricReport } from './evaluate';
import { METRICS } from './metrics';

export function formatInterval(i: Interval, digits = 4): string {
  return `${i.mean.toFixed(digits)} [${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}]`;
}

/** A plain-text table: one row per method, one column per metric with its CI. */
export function formatMetricTable(
  rows: { name: string; report: MetricReport }[],
  digits = 4,
): string {
  const header = ['method', 'cases', ...METRICS];
  const body = rows.map((r) => [
    r.name,
    String(r.report.cases),
    ...METRICS.map((m) => formatInterval(r.report.metrics[m], digits)),
  ]);
  return alignColumns([header, ...body]);
}

/** The same table as GitHub markdown. */
export function formatMetricMarkdown(
  rows: { name: string; report: MetricReport }[],
  digits = 4,
): string {
  const header = `| method | cases | ${METRICS.join(' | ')} |`;
  const rule = `|${' --- |'.repeat(METRICS.length + 2)}`;
  const body = rows.map(
    (r) =>
      `| ${r.name} | ${r.report.cases} | ${METRICS.map((m) => formatInterval(r.report.metrics[m], digits)).join(' | ')} |`,
  );
  return [header, rule, ...body].join('\n');
}

export function alignColumns(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
