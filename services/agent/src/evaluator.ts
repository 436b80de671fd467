import { credentials } from '@grpc/grpc-js';
import { METRICS, type MetricName, type PairedComparison } from '@thoughtspace/metrics';
import {
  CompareRequest,
  EvaluatorClient,
  GetMetricsRequest,
  SERVICE_NAMES,
  type CompareResponse,
  type GetMetricsResponse,
} from '@thoughtspace/proto';
import { callDownstream } from '@thoughtspace/service-kit';

/** The evaluator's paired comparison, keyed by metric name ("NDCG@10"). */
export interface VersionComparison {
  metrics: Record<string, PairedComparison & { challengerMean: number; championMean: number }>;
  users: number;
}

/** One version's live metric from the streaming evaluator. */
export interface LiveValue {
  value: number;
  cases: number;
}

/** What the agent asks of the evaluator. */
export interface EvaluatorPort {
  /** Paired comparison of challenger minus champion on the same users. */
  compare(o: { champion: string; challenger: string; seed: number }): Promise<VersionComparison>;
  /** A version's live metric; undefined while the streaming evaluator has no case of it. */
  liveMetric(o: {
    version: string;
    metric: MetricName;
    window: 'cumulative' | 'sliding';
  }): Promise<LiveValue | undefined>;
  close(): void;
}

export interface GrpcEvaluatorOptions {
  /** host:port of the evaluator. */
  address: string;
  /** Each version's predictions under the evaluator's PREDICTIONS_DIR; `{version}` is replaced. */
  predictionsUri: string;
  split: 'valid' | 'test';
  resamples: number;
  /** Per-call deadline (default 10 minutes for Compare, 10 s for GetMetrics). */
  compareTimeoutMs?: number;
}

const byWireName = new Map(METRICS.map((m) => [m.toLowerCase(), m]));

/** CompareResponse -> the decision's input; a metric the evaluator did not send is absent. */
export function fromCompareResponse(res: CompareResponse): VersionComparison {
  const metrics: VersionComparison['metrics'] = {};
  for (const d of res.deltas) {
    const name = byWireName.get(d.name);
    if (!name) continue;
    metrics[name] = {
      difference: { mean: d.delta, low: d.ciLow, high: d.ciHigh },
      pValue: d.pValue,
      cases: res.users,
      challengerMean: d.challengerMean,
      championMean: d.championMean,
    };
  }
  return { metrics, users: res.users };
}

/** The entry of GetMetrics for one version and window; undefined when it has none. */
export function liveFromMetrics(
  res: GetMetricsResponse,
  o: { version: string; metric: MetricName; window: 'cumulative' | 'sliding' },
): LiveValue | undefined {
  const entries = res.metrics.filter(
    (m) =>
      m.modelVersion === o.version &&
      (o.window === 'cumulative' ? m.window === 'cumulative' : m.window.startsWith('last:')),
  );
  if (entries.length > 1) {
    throw new Error(
      `the evaluator has ${entries.length} ${o.window} entries for version ${o.version} (methods ${entries.map((m) => m.method).join(', ')}): one streaming evaluator per method is expected`,
    );
  }
  const m = entries[0];
  const v = m?.values.find((x) => x.name === o.metric.toLowerCase());
  return m && v ? { value: v.mean, cases: Number(m.cases) } : undefined;
}

/**
 * The evaluator over gRPC: Compare on the two versions' predictions files
 * (the evaluation stage writes them under the shared PVC, which the
 * evaluator mounts as PREDICTIONS_DIR) and GetMetrics filtered by version.
 */
export function grpcEvaluator(o: GrpcEvaluatorOptions): EvaluatorPort {
  const client = new EvaluatorClient(o.address, credentials.createInsecure());
  const uri = (version: string) => o.predictionsUri.split('{version}').join(version);
  const call = { peer: 'evaluator', service: SERVICE_NAMES.evaluator };
  return {
    async compare({ champion, challenger, seed }) {
      const res = await callDownstream(
        client,
        client.compare,
        CompareRequest.fromPartial({
          challenger: {
            name: challenger,
            source: { $case: 'predictionsUri', value: uri(challenger) },
          },
          champion: { name: champion, source: { $case: 'predictionsUri', value: uri(champion) } },
          split: o.split,
          bootstrapResamples: o.resamples,
          permutations: o.resamples,
          seed,
        }),
        { ...call, method: 'Compare', deadline: Date.now() + (o.compareTimeoutMs ?? 600_000) },
      );
      return fromCompareResponse(res);
    },
    async liveMetric(q) {
      const res = await callDownstream(
        client,
        client.getMetrics,
        GetMetricsRequest.fromPartial({ modelVersion: q.version }),
        { ...call, method: 'GetMetrics', deadline: Date.now() + 10_000 },
      );
      return liveFromMetrics(res, q);
    },
    close: () => client.close(),
  };
}
