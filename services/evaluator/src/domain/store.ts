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
  /** The model version these cases were scored by; "" or absent = every version together. */
  modelVersion?: string;
  /** Streaming window: "cumulative" or "last:N"; "" or absent = not a streaming entry. */
  window?: string;
}

export interface MetricsFilter {
  method?: string;
  /** Only this model version's entries. */
  modelVersion?: string;
}

/**
 * Where the streaming evaluator (Kafka predictions + interactions) writes its
 * running metrics and GetMetrics reads them. One entry per
 * (method, provider, split, protocol, model version, window); a put
 * replaces that entry.
 */
export interface MetricsStore {
  put(snapshot: MetricsSnapshot): void;
  /** Every entry, or only those matching the filter, ordered by method, provider, version, window. */
  list(filter?: MetricsFilter): MetricsSnapshot[];
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
      const key = [
        snapshot.method,
        snapshot.provider,
        snapshot.split,
        snapshot.protocol,
        snapshot.modelVersion ?? '',
        snapshot.window ?? '',
      ].join('\u0000');
      entries.set(key, snapshot);
      updated = now();
    },
    list(filter = {}) {
      const order = (s: MetricsSnapshot) => [
        s.method,
        s.provider,
        s.modelVersion ?? '',
        s.window ?? '',
      ];
      return [...entries.values()]
        .filter(
          (s) =>
            (!filter.method || s.method === filter.method) &&
            (!filter.modelVersion || s.modelVersion === filter.modelVersion),
        )
        .sort((a, b) => {
          const x = order(a);
          const y = order(b);
          const i = x.findIndex((v, k) => v !== y[k]);
          return i < 0 ? 0 : x[i].localeCompare(y[i]);
        });
    },
    updatedAtMs: () => updated,
  };
}
