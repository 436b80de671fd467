import type { MetricReport } from '@thoughtspace/metrics';

/** One method's current metrics, as the streaming evaluator last computed them. */
export interface MetricsSnapshot {
  method: string;
  provider: string;
  split: string;
  /** e.g. "sampled:9" or "full". */
  protocol: string;
  datasetManifestHash: string;
  report: MetricReport;
}

/**
 * Where the streaming evaluator (Kafka predictions + interactions) writes its
 * running metrics and GetMetrics reads them. One entry per
 * (method, provider, split, protocol); a put replaces that entry.
 */
export interface MetricsStore {
  put(snapshot: MetricsSnapshot): void;
  /** Every entry, or only one method's, ordered by method then provider. */
  list(method?: string): MetricsSnapshot[];
  /** Unix ms of the last put; 0 before any. */
  updatedAtMs(): number;
}

/** The in-process store; the streaming evaluator and the gRPC server share one instance. */
export function createMemoryMetricsStore(o: { now?: () => number } = {}): MetricsStore {
  const now = o.now ?? Date.now;
  const entries = new Map<string, MetricsSnapshot>();
  let updated = 0;
  return {
    put(snapshot) {
      const key = [snapshot.method, snapshot.provider, snapshot.split, snapshot.protocol].join(
        '\u0000',
      );
      entries.set(key, snapshot);
      updated = now();
    },
    list(method) {
      return [...entries.values()]
        .filter((s) => !method || s.method === method)
        .sort((a, b) =>
          a.method === b.method
            ? a.provider.localeCompare(b.provider)
            : a.method.localeCompare(b.method),
        );
    },
    updatedAtMs: () => updated,
  };
}
