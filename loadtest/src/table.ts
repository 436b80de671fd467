import { latencyPercentilesChart } from '@thoughtspace/report';
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

/** Latency percentiles against offered load: one line per percentile, open and closed loop apart. */
export function percentilePlot(title: string, target: string, runs: RunResult[]): Promise<string> {
  const rows = runs.map((r) => ({
    series: r.mode === 'open' ? 'open loop (from intended send)' : 'closed loop (from actual send)',
    load: r.mode === 'open' ? (r.rate as number) : r.achievedPerSecond,
    percentiles: {
      p50: r.latency.p50Ms,
      p90: r.latency.p90Ms,
      p99: r.latency.p99Ms,
      'p99.9': r.latency.p999Ms,
    },
  }));
  return latencyPercentilesChart({
    title: `${title}: latency percentiles`,
    subtitle: `${target}; closed-loop points sit at their achieved rate`,
    loadLabel: 'offered (open) or achieved (closed) load, requests/s',
    logScale: true,
    rows,
  });
}
