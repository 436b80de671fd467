import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import {
  RationaleGenService,
  RationaleKind as ProtoKind,
  SERVICE_NAMES,
  type Rationale as ProtoRationale,
  type RationaleGenServer,
  type RationaleTask,
} from '@thoughtspace/proto';
import {
  createHealth,
  requireInt,
  requireMessage,
  ServingStatus,
  serverStream,
  unary,
  type Health,
  type Logger,
  type RpcOptions,
} from '@thoughtspace/service-kit';
import { MAX_ALTERNATIVES, type RationaleService, type RationaleTaskInput } from './domain/service';
import { InvalidArgumentError } from './errors';
import type { Rationale, RationaleKind } from './types';

export interface RationaleGenDeps {
  service: RationaleService;
  /** Server interceptors, e.g. the Prometheus RPC latency histogram (createRpcMetrics). */
  interceptors?: ServerInterceptor[];
  logger?: Logger;
  health?: Health;
}

export const SERVICE_NAME = SERVICE_NAMES.rationaleGen;

const KINDS: Partial<Record<ProtoKind, RationaleKind>> = {
  [ProtoKind.POSITIVE]: 'positive',
  [ProtoKind.BASE]: 'base',
  [ProtoKind.REFINE]: 'refine',
};
const PROTO_KINDS: Record<RationaleKind, ProtoKind> = {
  positive: ProtoKind.POSITIVE,
  base: ProtoKind.BASE,
  refine: ProtoKind.REFINE,
};

/** The gRPC server with RationaleGen and grpc.health.v1 attached; binds nothing (main.ts does). */
export function createServer(deps: RationaleGenDeps): { server: Server; health: Health } {
  const rpc: RpcOptions = { logger: deps.logger };
  const health =
    deps.health ??
    createHealth({ services: { [SERVICE_NAME]: ServingStatus.NOT_SERVING }, logger: deps.logger });
  const { service } = deps;

  const impl: RationaleGenServer = {
    generateRationale: unary(async (req, ctx) => {
      const result = await service.generate(toTask(req.task), { signal: ctx.signal });
      return {
        rationales: result.rationales.map(toProto),
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        levelMs: result.levelMs ?? [],
      };
    }, rpc),
    // Providers answer whole rationales, so each alternative streams as one
    // text delta followed by its final rationale.
    streamRationale: serverStream(async (req, send, ctx) => {
      await service.generate(toTask(req.task), {
        signal: ctx.signal,
        onRationale: async (index, r) => {
          await send({ index, event: { $case: 'textDelta', value: r.reason } });
          await send({ index, event: { $case: 'rationale', value: toProto(r) } });
        },
      });
    }, rpc),
  };
  const server = new Server({
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
    interceptors: deps.interceptors,
  });
  server.addService(RationaleGenService, impl);
  health.addToServer(server);
  return { server, health };
}

function toTask(message: RationaleTask | undefined): RationaleTaskInput {
  const task = requireMessage({ task: message }, 'task');
  const kind = KINDS[task.kind];
  if (!kind) {
    throw new InvalidArgumentError(`task.kind must be POSITIVE, BASE or REFINE, got ${task.kind}`);
  }
  const n = requireInt(task, 'n', { min: 1, max: MAX_ALTERNATIVES, zeroMeans: 1, label: 'task.n' });
  if (kind !== 'positive' && task.targetItemId !== undefined) {
    throw new InvalidArgumentError(
      `task.target_item_id must not be set for ${kind.toUpperCase()}: positive rationales are for training targets only (leakage rule)`,
    );
  }
  return {
    kind,
    history: (task.history?.interactions ?? []).map((i) => ({
      itemId: i.itemId,
      rating: i.rating,
      review: i.review,
      summary: i.summary,
    })),
    targetItemId: task.targetItemId,
    similarItemIds: task.similarUserItemIds,
    parentReason: task.parentReason,
    parentReasons: task.parentReasons,
    n,
    treePosition: task.treePosition && {
      level: requireInt(task.treePosition, 'level', {
        min: 1,
        max: 16,
        label: 'task.tree_position.level',
      }),
      firstChild: requireInt(task.treePosition, 'firstChild', {
        min: 0,
        max: 1 << 16,
        label: 'task.tree_position.first_child',
      }),
    },
    furtherLevels: task.furtherLevels.length
      ? task.furtherLevels.map((n, i) =>
          requireInt({ n }, 'n', {
            min: 1,
            max: MAX_ALTERNATIVES,
            label: `task.further_levels[${i}]`,
          }),
        )
      : undefined,
    direction: task.direction,
    provider: task.provider,
    maxTokens: task.maxTokens === 0 ? undefined : task.maxTokens,
    seed: task.seed,
  };
}

function toProto(r: Rationale): ProtoRationale {
  return {
    reason: r.reason,
    evidence: r.evidence,
    provider: r.provider,
    model: r.model,
    kind: PROTO_KINDS[r.kind],
  };
}
