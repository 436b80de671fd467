import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shortHash, type Manifest } from '@thoughtspace/data';
import { formatMetricMarkdown, METRICS, type MetricReport } from '@thoughtspace/metrics';
import { barChart } from '@thoughtspace/report';
import type { MethodResult } from '../results';

export interface Row {
  name: string;
  provider: string;
  report: MetricReport;
}

/** The main table as a grouped bar chart with CIs. */
export async function writeMetricsChart(
  out: string,
  title: string,
  subtitle: string,
  rows: Row[],
): Promise<void> {
  const chart = barChart({
    title,
    subtitle,
    groups: METRICS.filter((m) => m !== 'HR@10').map((m) => ({
      label: m,
      values: rows.map((r) => ({
        series: r.name,
        value: r.report.metrics[m].mean,
        low: r.report.metrics[m].low,
        high: r.report.metrics[m].high,
      })),
    })),
  });
  await writeFile(join(out, 'metrics.svg'), chart);
}

export function renderReport(o: {
  header: string;
  command: string;
  manifest: Manifest;
  rows: Row[];
  results: MethodResult[];
  reference: string;
  sections: string[];
}): string {
  const paired = o.results
    .filter((r) => r.versus)
    .map((r) => {
      const t = r.versus?.tests;
      const cell = (m: (typeof METRICS)[number]) =>
        t
          ? `${t[m].difference.mean >= 0 ? '+' : ''}${t[m].difference.mean.toFixed(4)} (p=${t[m].pValue.toFixed(4)})`
          : '';
      return `| ${r.method} | ${METRICS.map(cell).join(' | ')} |`;
    });
  return [
    '# thoughtspace run',
    '',
    o.header,
    '',
    `Command: \`${o.command}\``,
    `Dataset manifest: \`${o.manifest.hash}\` (${shortHash(o.manifest.hash)})`,
    '',
    formatMetricMarkdown(
      o.rows.map((r) => ({ name: `${r.name} (${r.provider})`, report: r.report })),
    ),
    '',
    '![metrics](metrics.svg)',
    '',
    `## Paired tests against ${o.reference} (difference of means, randomization p-value)`,
    '',
    `| method | ${METRICS.join(' | ')} |`,
    `|${' --- |'.repeat(METRICS.length + 1)}`,
    ...paired,
    '',
    ...o.sections,
    '![SASRec learning curve](learning-curve.svg)',
    '',
  ].join('\n');
}
