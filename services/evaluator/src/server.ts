import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import type { SplitName } from '@thoughtspace/data';
import { METRICS, type MetricReport } from '@thoughtspace/metrics';
import {
  EvaluatorService,
  HealthService,
  SERVICE_NAMES,
  type CompareResponse,
  type EvaluateSplitRequest,
  type EvaluatorServer,
  type Metrics,
  type Prediction,
  type RankedSet,
  type RequestMeta,
} from '@thoughtspace/proto';
import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';
import {
  checkDeadline,
  createHealth,
  ServingStatus,
  unary,
  type Health,
  type Logger,
  type RpcOptions,
} from '@thoughtspace/service-kit';
import { comparePaired, sideFromRanks, type Comparison, type RankedSide } from './domain/compare';
import {
  addPredictionsFile,
  resolvePredictionsPath,
  SplitEvaluation,
  type Evaluation,
  type Targets,
} from './domain/evaluate';
import type { MetricsSnapshot, MetricsStore } from './domain/store';

export const SERVICE_NAME = SERVICE_NAMES.evaluator;

export interface EvaluatorLimits {
  /** Largest bootstrap_resamples a request may ask for. */
  maxResamples: number;
  /** Used when a request sends 0. */
  defaultResamples: number;
}

export const DEFAULT_EVALUATOR_LIMITS: EvaluatorLimits = {
  maxResamples: 10_000,
  defaultResamples: 1000,
};

export interface EvaluatorDeps {
  /** Server interceptors, e.g. the Prometheus RPC latency histogram (createRpcMetrics). */
  interceptors?: ServerInterceptor[];
  /** What GetMetrics serves; the streaming evaluator writes into it. */
  store: MetricsStore;
  /** Ground truth for predictions without target_item_id (from DATASET). */
  targets?: Targets;
  /** The only folder predictions_uri may point into; unset = inline batches only. */
  predictionsDir?: string;
  limits?: Partial<EvaluatorLimits>;
  logger?: Logger;
  health?: Health;
}

const SPLITS: readonly SplitName[] = ['valid', 'test'];

/** The gRPC server with Evaluator and grpc.health.v1 attached; binds nothing (main.ts does). */
export function createServer(deps: EvaluatorDeps): { server: Server; health: Health } {
  const rpc: RpcOptions = { logger: deps.logger };
  const limits = { ...DEFAULT_EVALUATOR_LIMITS, ...deps.limits };
  const health =
    deps.health ??
    createHealth({ services: { [SERVICE_NAME]: ServingStatus.NOT_SERVING }, logger: deps.logger });

  const impl: EvaluatorServer = {
    evaluateSplit: unary(async (req, ctx) => {
      checkDataset(req.meta, deps.targets);
      const split = checkSplit(req.split);
      const resamples = checkCount('bootstrap_resamples', req.bootstrapResamples, limits);
      const evaluation = new SplitEvaluation({
        split,
        resamples,
        seed: req.seed,
        targets: deps.targets,
      });
      await addSource(evaluation, req, deps.predictionsDir);
      checkDeadline(ctx, 'evaluate');
      const result = evaluation.finish();
      if (result.malformed > 0) {
        deps.logger?.warn('malformed predictions skipped', {
          malformed: result.malformed,
          samples: result.samples,
        });
      }
      return {
        metrics: toProtoMetrics(describe(result, split, deps.targets)),
        malformed: result.malformed,
      };
    }, rpc),
    getMetrics: unary(async (req) => {
      checkDataset(req.meta, deps.targets);
      return {
        metrics: deps.store
          .list({ method: req.method || undefined, modelVersion: req.modelVersion || undefined })
          .map(toProtoMetrics),
        updatedAtUnixMs: deps.store.updatedAtMs(),
      };
    }, rpc),
    compare: unary(async (req, ctx) => {
      checkDataset(req.meta, deps.targets);
      const split = checkSplit(req.split);
      const resamples = checkCount('bootstrap_resamples', req.bootstrapResamples, limits);
      const permutations = checkCount('permutations', req.permutations || resamples, limits);
      const read = { split, targets: deps.targets, predictionsDir: deps.predictionsDir };
      const challenger = await rankedSide(req.challenger, 'challenger', read);
      const champion = await rankedSide(req.champion, 'champion', read);
      checkDeadline(ctx, 'compare');
      return toProtoComparison(
        comparePaired(challenger, champion, { resamples, permutations, seed: req.seed }),
      );
    }, rpc),
  };
  const server = new Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    interceptors: deps.interceptors,
  });
  server.addService(EvaluatorService, impl);
  server.addService(HealthService, health.implementation);
  return { server, health };
}

function checkDataset(meta: RequestMeta | undefined, targets: Targets | undefined): void {
  const hash = meta?.datasetManifestHash ?? '';
  if (hash && targets && hash !== targets.manifestHash) {
    throw new FailedPreconditionError(
      `meta.dataset_manifest_hash ${hash.slice(0, 12)} does not match the evaluator's dataset ${targets.name} (${targets.manifestHash.slice(0, 12)})`,
    );
  }
}

function checkSplit(raw: string): SplitName {
  const split = (raw || 'test') as SplitName;
  if (!SPLITS.includes(split)) {
    throw new InvalidArgumentError(`split must be "valid" or "test", got "${raw}"`);
  }
  return split;
}

function checkCount(field: string, requested: number, limits: EvaluatorLimits): number {
  const n = requested || limits.defaultResamples;
  if (n < 10 || n > limits.maxResamples) {
    throw new InvalidArgumentError(
      `${field} must be in [10, ${limits.maxResamples}] (0 = ${limits.defaultResamples}), got ${n}`,
    );
  }
  return n;
}

/** One side of a Compare request as per-user ranks (predictions ranked against the split's targets). */
async function rankedSide(
  set: RankedSet | undefined,
  field: string,
  o: { split: SplitName; targets?: Targets; predictionsDir?: string },
): Promise<RankedSide> {
  if (!set) throw new InvalidArgumentError(`${field} is required`);
  const name = set.name.slice(0, 64);
  if (set.source?.$case === 'ranks') {
    return sideFromRanks(field, name, set.source.value.userIds, set.source.value.ranks);
  }
  const evaluation = new SplitEvaluation({
    split: o.split,
    resamples: 10,
    seed: 0,
    targets: o.targets,
  });
  switch (set.source?.$case) {
    case 'batch':
      addBatch(evaluation, set.source.value.predictions, `${field}.batch`);
      break;
    case 'predictionsUri':
      await addPredictionsFile(
        evaluation,
        resolvePredictionsPath(set.source.value, o.predictionsDir),
      );
      break;
    default:
      throw new InvalidArgumentError(
        `${field}: one of batch, predictions_uri or ranks is required`,
      );
  }
  return { field, name, ...evaluation.userRanks() };
}

function toProtoComparison(c: Comparison): CompareResponse {
  return {
    deltas: c.deltas.map((d) => ({
      name: d.name.toLowerCase(),
      challengerMean: d.challengerMean,
      championMean: d.championMean,
      delta: d.delta.mean,
      ciLow: d.delta.low,
      ciHigh: d.delta.high,
      pValue: d.pValue,
    })),
    users: c.users,
    confidence: c.confidence,
    bootstrapResamples: c.resamples,
    permutations: c.permutations,
    challengerMalformed: c.challengerMalformed,
    championMalformed: c.championMalformed,
  };
}

/** Inline predictions into an evaluation; a bad one is named `<field>.predictions[i]`. */
function addBatch(
  evaluation: SplitEvaluation,
  predictions: readonly Prediction[],
  field: string,
): void {
  predictions.forEach((p, i) =>
    evaluation.add(
      {
        user: p.userId,
        candidates: p.candidateItemIds,
        scores: p.scores,
        target: p.targetItemId,
        method: p.method,
        provider: p.provider,
      },
      `${field}.predictions[${i}]`,
    ),
  );
}

async function addSource(
  evaluation: SplitEvaluation,
  req: EvaluateSplitRequest,
  predictionsDir: string | undefined,
): Promise<void> {
  switch (req.source?.$case) {
    case 'batch':
      addBatch(evaluation, req.source.value.predictions, 'batch');
      return;
    case 'predictionsUri':
      await addPredictionsFile(
        evaluation,
        resolvePredictionsPath(req.source.value, predictionsDir),
      );
      return;
    default:
      throw new InvalidArgumentError('one of batch or predictions_uri is required');
  }
}

function describe(result: Evaluation, split: SplitName, targets?: Targets): MetricsSnapshot {
  return {
    method: result.method,
    provider: result.provider,
    split,
    protocol: '',
    datasetManifestHash: targets?.manifestHash ?? '',
    report: result.report,
  };
}

/** Metric names on the wire are lower case: "hr@1", "ndcg@10", "mrr". */
function toProtoMetrics(s: MetricsSnapshot): Metrics {
  const report: MetricReport = s.report;
  return {
    values: METRICS.map((name) => ({
      name: name.toLowerCase(),
      mean: report.metrics[name].mean,
      ciLow: report.metrics[name].low,
      ciHigh: report.metrics[name].high,
    })),
    cases: report.cases,
    method: s.method,
    provider: s.provider,
    split: s.split,
    protocol: s.protocol,
    datasetManifestHash: s.datasetManifestHash,
    confidence: report.bootstrap.level,
    modelVersion: s.modelVersion ?? '',
    window: s.window ?? '',
  };
}
