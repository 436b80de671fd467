import type { RunResult } from './run';

const ms = (x: number) => x.toFixed(2);

/** The percentile table the CLI prints, one row per run. */
export function formatRuns(runs: RunResult[]): string {
  const rows = [
    [
      'mode',
      'offered',
      'achieved/s',
      'ok',
      'errors',
      'dropped',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
    ],
    ...runs.map((r) => [
      r.mode,
      r.mode === 'open' ? `${r.rate}/s` : `x${r.concurrency}`,
      r.achievedPerSecond.toFixed(1),
      String(r.ok),
      String(Object.values(r.errors).reduce((a, b) => a + b, 0)),
      String(r.dropped),
      ms(r.latency.p50Ms),
      ms(r.latency.p90Ms),
      ms(r.latency.p99Ms),
      ms(r.latency.p999Ms),
      ms(r.latency.maxMs),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c])).join('  ')).join('\n');
}
