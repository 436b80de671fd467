import { METRICS } from '@thoughtspace/metrics';
import { Gauge, type Registry } from 'prom-client';
import type { StreamingSnapshot } from './evaluator';

const COUNTERS = [
  'predictionsRead',
  'interactionsRead',
  'joined',
  'duplicates',
  'expired',
  'rejected',
  'buffered',
] as const;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The streaming evaluator's state as Prometheus gauges, read from
 * `snapshot()` at scrape time:
 * `thoughtspace_stream_metric{metric="HR@10",window="cumulative",stat="mean|ci_low|ci_high"}`
 * (the last published report) and `thoughtspace_stream_records{kind="joined",...}`.
 */
export function registerStreamingMetrics(
  registry: Registry,
  snapshot: () => StreamingSnapshot,
): void {
  new Gauge({
    name: 'thoughtspace_stream_metric',
    help: "The streaming evaluator's last published metrics (mean and bootstrap CI bounds) per window.",
    labelNames: ['metric', 'window', 'stat', 'method'],
    registers: [registry],
    collect() {
      this.reset();
      const s = snapshot();
      for (const [window, report] of [
        ['cumulative', s.cumulative],
        ['window', s.window],
      ] as const) {
        if (!report) continue;
        for (const m of METRICS) {
          const v = report.metrics[m];
          const labels = { metric: m, window, method: s.method };
          this.set({ ...labels, stat: 'mean' }, v.mean);
          this.set({ ...labels, stat: 'ci_low' }, v.low);
          this.set({ ...labels, stat: 'ci_high' }, v.high);
        }
      }
    },
  });
  new Gauge({
    name: 'thoughtspace_stream_records',
    help: 'Streaming evaluator counts: records read, requests joined (each once), duplicates, expired, rejected, buffered halves.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const c = snapshot().counters;
      for (const k of COUNTERS) this.set({ kind: snake(k) }, c[k]);
    },
  });
}
