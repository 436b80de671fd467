import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import type { Item } from '@thoughtspace/data';
import { STRATEGY_FROM_PROTO, STRATEGY_TO_PROTO, type StageName } from '@thoughtspace/pipeline';
import {
  GatewayService,
  HealthService,
  RationaleKind,
  SelectionStrategy as ProtoStrategy,
  SERVICE_NAMES,
  type GatewayServer,
  type Item as ProtoItem,
  type RecommendOptions,
  type RecommendRequest,
} from '@thoughtspace/proto';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  createHealth,
  NO_COUNTER,
  requireInt,
  ServingStatus,
  unary,
  type CallContext,
  type Health,
  type Logger,
  type RpcMetrics,
  type RpcOptions,
} from '@thoughtspace/service-kit';
import type { Catalogue } from './domain/catalogue';
import type { RecommendInput, Recommender } from './domain/recommend';

export const SERVICE_NAME = SERVICE_NAMES.gateway;

/** Deadline when a client sends none, ms. */
export const DEFAULT_DEADLINE_MS = 5000;

export interface GatewayDeps {
  /** Server interceptors, e.g. the Prometheus RPC latency histogram (createRpcMetrics). */
  interceptors?: ServerInterceptor[];
  recommender: Recommender;
  catalogue: Catalogue;
  /** Deadline for calls that arrive without one (ms). */
  defaultDeadlineMs?: number;
  logger?: Logger;
  health?: Health;
  /**
   * Where `thoughtspace_gateway_degraded_total{stage}` counts degraded
   * answers, on /metrics (main.ts passes runService's); absent, nothing counts.
   */
  metrics?: Pick<RpcMetrics, 'counter'>;
}

const MAX_HISTORY = 1000;

/** The gRPC server with Gateway and grpc.health.v1 attached; binds nothing (main.ts does). */
export function createServer(deps: GatewayDeps): { server: Server; health: Health } {
  const rpc: RpcOptions = { logger: deps.logger };
  const health =
    deps.health ??
    createHealth({ services: { [SERVICE_NAME]: ServingStatus.NOT_SERVING }, logger: deps.logger });
  const degraded =
    deps.metrics?.counter({
      name: 'thoughtspace_gateway_degraded_total',
      help: 'Recommend answers scored without a reason because a reasoning stage failed, by stage',
      labelNames: ['stage'],
    }) ?? NO_COUNTER;
  const { catalogue } = deps;

  const impl: GatewayServer = {
    recommend: unary(async (req, ctx) => {
      const started = performance.now();
      if (
        req.meta?.datasetManifestHash &&
        req.meta.datasetManifestHash !== catalogue.manifestHash
      ) {
        throw new InvalidArgumentError(
          `meta.dataset_manifest_hash ${req.meta.datasetManifestHash.slice(0, 12)} does not match the gateway's dataset ${catalogue.name} (${catalogue.manifestHash.slice(0, 12)})`,
        );
      }
      const input = toInput(req, catalogue);
      const deadline = ctx.deadline ?? Date.now() + (deps.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS);
      const res = await deps.recommender.recommend(input, { deadline, signal: ctx.signal });
      ctx.span.setAttribute('thoughtspace.degraded', res.degraded !== undefined);
      ctx.span.setAttribute('thoughtspace.strategy', res.strategy);
      let degradedReason = '';
      if (res.degraded) {
        degradedReason = `${res.degraded.stage}: ${res.degraded.error}`;
        ctx.span.setAttribute('thoughtspace.degraded_reason', degradedReason);
        degraded.add(1, { stage: res.degraded.stage });
        deps.logger?.warn('recommend degraded: scored without a reason', {
          stage: res.degraded.stage,
          reason: res.degraded.error,
        });
      }
      return {
        items: res.items.map((s) => ({
          itemId: s.itemId,
          score: s.score,
          item: toProtoItem(catalogue.item(s.itemId, 'items')),
        })),
        rationale: res.reason
          ? {
              reason: res.reason.text,
              evidence: [],
              provider: res.reason.provider,
              model: res.reason.model,
              kind: res.reason.strategy === 'base-only' ? RationaleKind.BASE : RationaleKind.REFINE,
            }
          : undefined,
        strategy: STRATEGY_TO_PROTO[res.strategy],
        timings: (Object.entries(res.timings) as [StageName, number][]).map(([stage, ms]) => ({
          stage,
          durationMs: ms,
        })),
        degraded: res.degraded !== undefined,
        degradedReason,
        durationMs: performance.now() - started,
        datasetManifestHash: catalogue.manifestHash,
      };
    }, rpc),
  };
  const server = new Server({
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
    interceptors: deps.interceptors,
  });
  server.addService(GatewayService, impl);
  server.addService(HealthService, health.implementation);
  return { server, health };
}

export type { CallContext };

/** Item text for the response; long descriptions are cut so a response stays small. */
function toProtoItem(item: Item): ProtoItem {
  return {
    id: item.id,
    title: item.title,
    description: item.description?.slice(0, 500),
    brand: item.brand,
    categories: item.categories ?? [],
    price: item.price,
  };
}

function toInput(req: RecommendRequest, catalogue: Catalogue): RecommendInput {
  const k = requireInt(req, 'k', { min: 1, max: 100, zeroMeans: 10 });
  const options = toOptions(req.options, k);
  switch (req.subject?.$case) {
    case 'history': {
      const interactions = req.subject.value.interactions;
      if (interactions.length === 0) {
        throw new InvalidArgumentError('history.interactions must not be empty');
      }
      if (interactions.length > MAX_HISTORY) {
        throw new InvalidArgumentError(
          `history.interactions must have at most ${MAX_HISTORY} entries, got ${interactions.length}`,
        );
      }
      const history = interactions.map((i, n) => ({
        item: catalogue.item(i.itemId, `history.interactions[${n}].item_id`),
        ...(i.rating !== undefined ? { rating: i.rating } : {}),
        ...(i.review !== undefined ? { review: i.review } : {}),
      }));
      const userId = req.subject.value.userId || undefined;
      return { history, userId, k, ...options, seed: options.seed ?? userId };
    }
    case 'userId': {
      if (!req.subject.value) throw new InvalidArgumentError('user_id must not be empty');
      return { userId: req.subject.value, k, ...options, seed: options.seed ?? req.subject.value };
    }
    default:
      throw new InvalidArgumentError('one of history or user_id is required');
  }
}

function toOptions(o: RecommendOptions | undefined, k: number): Omit<RecommendInput, 'k'> {
  if (!o) return {};
  const out: Omit<RecommendInput, 'k'> = {};
  if (o.candidates !== 0) {
    out.candidates = requireInt(o, 'candidates', {
      min: k,
      max: 1000,
      label: 'options.candidates',
    });
  }
  if (o.depth !== 0 || o.b1 !== 0 || o.b2 !== 0) {
    const depth = requireInt(o, 'depth', { min: 1, max: 4, zeroMeans: 2, label: 'options.depth' });
    const b1 = requireInt(o, 'b1', { min: 1, max: 8, zeroMeans: 2, label: 'options.b1' });
    const b2 = requireInt(o, 'b2', { min: 1, max: 8, zeroMeans: 3, label: 'options.b2' });
    out.branching = [b1, ...Array.from({ length: depth - 1 }, () => b2)];
  }
  if (o.strategy !== ProtoStrategy.UNSPECIFIED) {
    const s = STRATEGY_FROM_PROTO[o.strategy];
    if (!s)
      throw new InvalidArgumentError(
        `options.strategy must be a SelectionStrategy, got ${o.strategy}`,
      );
    out.strategy = s;
  }
  if (o.similarUsers !== 0) {
    out.similarUsers = requireInt(o, 'similarUsers', {
      min: 1,
      max: 100,
      label: 'options.similar_users',
    });
  }
  if (o.seed !== undefined) out.seed = String(o.seed);
  return out;
}
