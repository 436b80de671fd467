import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import {
  HealthService,
  RationaleKind,
  SelectionStrategy as ProtoStrategy,
  SERVICE_NAMES,
  TotSelectorService,
  type ExpandRequest,
  type ThoughtNode as ProtoNode,
  type TotSelectorServer,
  type UserHistory,
} from '@thoughtspace/proto';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  checkDeadline,
  createHealth,
  requireInt,
  requireString,
  ServingStatus,
  unary,
  type CallContext,
  type Health,
  type Logger,
  type RpcOptions,
} from '@thoughtspace/service-kit';
import {
  DEFAULT_SELECTOR,
  type CallBudget,
  type ExpandInput,
  type HistoryRef,
  type SelectorDefaults,
  type SelectorDomain,
} from './domain/selector';
import type { Strategy } from './select';
import { leavesOf, type ThoughtNode } from './tree';

export const SERVICE_NAME = SERVICE_NAMES.totSelector;

export interface TotSelectorDeps {
  /** Server interceptors, e.g. the Prometheus RPC latency histogram (createRpcMetrics). */
  interceptors?: ServerInterceptor[];
  domain: SelectorDomain;
  defaults?: Partial<SelectorDefaults>;
  /** Seed when a request sends none. */
  seed?: number;
  logger?: Logger;
  health?: Health;
}

export const STRATEGY_FROM_PROTO: Record<ProtoStrategy, Strategy | undefined> = {
  [ProtoStrategy.UNSPECIFIED]: undefined,
  [ProtoStrategy.THOUGHT_SPACE]: 'thought-space',
  [ProtoStrategy.RANDOM_LEAF]: 'random-leaf',
  [ProtoStrategy.BASE_ONLY]: 'base-only',
  [ProtoStrategy.GENERIC_SEMANTIC]: 'generic-semantic',
  [ProtoStrategy.LOG_LIKELIHOOD]: 'log-likelihood',
  [ProtoStrategy.UNRECOGNIZED]: undefined,
};

export const STRATEGY_TO_PROTO: Record<Strategy, ProtoStrategy> = {
  'thought-space': ProtoStrategy.THOUGHT_SPACE,
  'random-leaf': ProtoStrategy.RANDOM_LEAF,
  'base-only': ProtoStrategy.BASE_ONLY,
  'generic-semantic': ProtoStrategy.GENERIC_SEMANTIC,
  'log-likelihood': ProtoStrategy.LOG_LIKELIHOOD,
};

const MAX_HISTORY = 1000;

/** The gRPC server with TotSelector and grpc.health.v1 attached; binds nothing (main.ts does). */
export function createServer(deps: TotSelectorDeps): { server: Server; health: Health } {
  const rpc: RpcOptions = { logger: deps.logger };
  const defaults = { ...DEFAULT_SELECTOR, ...deps.defaults };
  const health =
    deps.health ??
    createHealth({ services: { [SERVICE_NAME]: ServingStatus.NOT_SERVING }, logger: deps.logger });
  const { domain } = deps;
  const budget = (ctx: CallContext): CallBudget => ({ deadline: ctx.deadline, signal: ctx.signal });
  /** The tree an Expand or a Select (without nodes) asks for: the fields both requests share. */
  const expandInput = (
    req: Pick<ExpandRequest, 'depth' | 'b1' | 'b2' | 'seed' | 'provider' | 'similarUserItemIds'>,
    history: HistoryRef,
    base: string | undefined,
  ): ExpandInput => ({
    history,
    base,
    branching: toBranching(req, defaults.branching),
    seed: req.seed ?? deps.seed,
    provider: req.provider || undefined,
    similarItemIds: req.similarUserItemIds,
  });

  const impl: TotSelectorServer = {
    expand: unary(async (req, ctx) => {
      const tree = await domain.expand(
        expandInput(req, toHistory(req.history), baseReason(req)),
        budget(ctx),
      );
      return { nodes: toProtoNodes(tree.nodes, tree, new Set()) };
    }, rpc),
    select: unary(async (req, ctx) => {
      const strategy = toStrategy(req.strategy, defaults.strategy);
      const history = toHistory(req.history);
      let nodes: ThoughtNode[];
      let writer = { provider: '', model: '' };
      let expandMs = 0;
      let written: { text: string; ms: number } | undefined;
      checkWriteBase(req, strategy);
      if (req.nodes.length > 0) {
        nodes = fromProtoNodes(req.nodes);
        writer = {
          provider: req.nodes[1]?.rationale?.provider ?? '',
          model: req.nodes[1]?.rationale?.model ?? '',
        };
      } else {
        const base = req.writeBaseReason ? undefined : baseReason(req);
        if (strategy === 'base-only') {
          nodes = [{ id: 0, depth: 0, parent: null, reason: base! }];
        } else {
          const expandStarted = performance.now();
          const expanding = domain.expand(expandInput(req, history, base), budget(ctx));
          // rationale-gen's call is on its way: the history's part of the selection meanwhile.
          domain.prepare({ history, strategy });
          const tree = await expanding;
          nodes = tree.nodes;
          writer = tree;
          written = tree.base;
          // The base reason's share of the call is its own stage.
          expandMs = performance.now() - expandStarted - (written?.ms ?? 0);
        }
      }
      checkDeadline(ctx, 'select');
      const seed = `${req.seed ?? deps.seed ?? 0}|${req.history?.userId ?? ''}`;
      const selection = await domain.select({ history, nodes, strategy, seed }, budget(ctx));
      const scores = new Map<number, number>();
      if (selection.leafScores) {
        leavesOf(nodes).forEach((l, i) => scores.set(l.id, selection.leafScores![i]));
      }
      const node = selection.node;
      const embedding =
        req.returnSelectedEmbedding && domain.reasonEmbedding
          ? await domain.reasonEmbedding(node.reason)
          : undefined;
      return {
        selected: rationale(node, writer),
        score: scores.get(node.id) ?? 0,
        strategy: STRATEGY_TO_PROTO[strategy],
        tree: req.returnTree ? toProtoNodes(nodes, writer, new Set([node.id]), scores) : [],
        leaves: selection.leaves,
        expandMs,
        base: written && rationale(nodes[0], writer),
        baseMs: written?.ms ?? 0,
        selectedEmbedding: embedding && {
          model: embedding.model,
          values: Array.from(embedding.values),
        },
      };
    }, rpc),
  };
  const server = new Server({
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
    interceptors: deps.interceptors,
  });
  server.addService(TotSelectorService, impl);
  server.addService(HealthService, health.implementation);
  return { server, health };
}

function toStrategy(value: ProtoStrategy, fallback: Strategy): Strategy {
  if (value === ProtoStrategy.UNSPECIFIED) return fallback;
  const s = STRATEGY_FROM_PROTO[value];
  if (!s)
    throw new InvalidArgumentError(`strategy must be a SelectionStrategy value, got ${value}`);
  return s;
}

function toHistory(history: UserHistory | undefined): HistoryRef {
  const items = history?.interactions ?? [];
  if (items.length === 0) throw new InvalidArgumentError('history.interactions must not be empty');
  if (items.length > MAX_HISTORY) {
    throw new InvalidArgumentError(
      `history.interactions must have at most ${MAX_HISTORY} entries, got ${items.length}`,
    );
  }
  return {
    userId: history?.userId || undefined,
    interactions: items.map((i) => ({
      itemId: i.itemId,
      rating: i.rating,
      review: i.review,
      summary: i.summary,
    })),
  };
}

/** write_base_reason replaces base_reason in a Select that grows its own tree. */
function checkWriteBase(
  req: { writeBaseReason: boolean; baseReason: string; nodes: unknown[] },
  strategy: Strategy,
): void {
  if (!req.writeBaseReason) return;
  if (req.baseReason)
    throw new InvalidArgumentError('base_reason and write_base_reason: set one, not both');
  if (req.nodes.length > 0)
    throw new InvalidArgumentError('write_base_reason: not with nodes (that tree has its root)');
  if (strategy === 'base-only')
    throw new InvalidArgumentError(
      'write_base_reason: not with BASE_ONLY (there is no tree to write; ask RationaleGen for the base reason)',
    );
}

/** The request's base reason: required, at most 20,000 characters. */
function baseReason(req: { baseReason: string }): string {
  return requireString(req, 'baseReason', { label: 'base_reason', maxLength: 20_000 });
}

/** depth, b1, b2 (0 = default) as the domain's branching list [b1, b2, b2, ...]. */
function toBranching(
  req: { depth: number; b1: number; b2: number },
  defaults: readonly number[],
): number[] {
  const depth = requireInt(req, 'depth', { min: 1, max: 4, zeroMeans: defaults.length });
  const b1 = requireInt(req, 'b1', { min: 1, max: 8, zeroMeans: defaults[0] });
  const b2 = requireInt(req, 'b2', { min: 1, max: 8, zeroMeans: defaults[1] ?? defaults[0] });
  return [b1, ...Array.from({ length: depth - 1 }, () => b2)];
}

/** Path ids: "0" for the root, "0.2.1" for the second child's first child (0-based). */
function pathIds(nodes: ThoughtNode[]): string[] {
  const ids: string[] = [];
  const children = new Map<number, number>();
  for (const n of nodes) {
    if (n.parent === null) {
      ids[n.id] = '0';
    } else {
      const k = children.get(n.parent) ?? 0;
      children.set(n.parent, k + 1);
      ids[n.id] = `${ids[n.parent]}.${k}`;
    }
  }
  return ids;
}

function rationale(node: ThoughtNode, writer: { provider: string; model: string }) {
  return {
    reason: node.reason,
    evidence: [],
    provider: writer.provider,
    model: writer.model,
    // The root is the base reason; every other node a refinement.
    kind: node.depth === 0 ? RationaleKind.BASE : RationaleKind.REFINE,
  };
}

function toProtoNodes(
  nodes: ThoughtNode[],
  writer: { provider: string; model: string },
  selected: Set<number>,
  scores: Map<number, number> = new Map(),
): ProtoNode[] {
  const ids = pathIds(nodes);
  return nodes.map((n) => ({
    id: ids[n.id],
    parentId: n.parent === null ? undefined : ids[n.parent],
    depth: n.depth,
    rationale: rationale(n, writer),
    score: scores.get(n.id) ?? 0,
    selected: selected.has(n.id),
  }));
}

/** A client's tree back into domain nodes; parents must come before children. */
export function fromProtoNodes(nodes: ProtoNode[]): ThoughtNode[] {
  const index = new Map<string, number>();
  return nodes.map((n, i) => {
    if (index.has(n.id)) throw new InvalidArgumentError(`nodes[${i}].id "${n.id}" is not unique`);
    index.set(n.id, i);
    let parent: number | null = null;
    if (n.parentId !== undefined) {
      const p = index.get(n.parentId);
      if (p === undefined) {
        throw new InvalidArgumentError(
          `nodes[${i}].parent_id "${n.parentId}" names no earlier node`,
        );
      }
      parent = p;
    } else if (i > 0) {
      throw new InvalidArgumentError(
        `nodes[${i}].parent_id is required (only nodes[0] is the root)`,
      );
    }
    return { id: i, depth: n.depth, parent, reason: n.rationale?.reason ?? '' };
  });
}
