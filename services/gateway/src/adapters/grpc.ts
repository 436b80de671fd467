/**
 * The pipeline's ports over gRPC: each port method is one downstream call
 * (service-kit's callDownstream: CLIENT span, trace context, the caller's
 * deadline, cancellation, errors naming the peer). They live in the gateway,
 * the only process that calls the chain over gRPC; packages/pipeline stays
 * free of transport code (see docs/decisions/0009-gateway.md).
 */
import type { ChannelCredentials } from '@grpc/grpc-js';
import {
  STRATEGY_TO_PROTO,
  type CallOptions,
  type CandidatePort,
  type HistoryEvent,
  type ModelVector,
  type NeighbourQuery,
  type ReasonPort,
  type ScorerPort,
  type SelectionPort,
  type SelectionStrategy,
  type TreeNode,
} from '@thoughtspace/pipeline';
import {
  CandidateGenClient,
  ExpandRequest,
  GenerateCandidatesRequest,
  GenerateRationaleRequest,
  RationaleGenClient,
  RationaleKind,
  ScoreCandidatesRequest,
  ScoreRequest,
  ScorerClient,
  SelectRequest,
  SERVICE_NAMES,
  SimilarUsersRequest,
  TotSelectorClient,
  type CandidateList,
  type ModelVector as ProtoVector,
  type SimilarUser as ProtoSimilarUser,
  type ThoughtNode as ProtoNode,
  type UserHistory,
} from '@thoughtspace/proto';
import { createRng } from '@thoughtspace/runtime';
import { callDownstream, type UnaryClientMethod } from '@thoughtspace/service-kit';

export interface DownstreamAddresses {
  candidateGen: string;
  rationaleGen: string;
  totSelector: string;
  scorer: string;
}

export const PEERS = {
  candidateGen: { peer: 'candidate-gen', service: SERVICE_NAMES.candidateGen },
  rationaleGen: { peer: 'rationale-gen', service: SERVICE_NAMES.rationaleGen },
  totSelector: { peer: 'tot-selector', service: SERVICE_NAMES.totSelector },
  scorer: { peer: 'scorer', service: SERVICE_NAMES.scorer },
} as const;

/**
 * SelectRequest.seed (uint64) for the chain's seed string: a 32-bit word of
 * the string's own stream, so each request seed (or, without one, each user
 * id) draws its own random leaf and sampling, and the same one draws the same.
 */
export function requestSeed(seed: string): number {
  return createRng(`gateway-seed|${seed}`).nextUint32();
}

export function toUserHistory(history: readonly HistoryEvent[], userId?: string): UserHistory {
  return {
    userId: userId ?? '',
    interactions: history.map((e) => ({
      itemId: e.item.id,
      rating: e.rating,
      review: e.review,
    })),
  };
}

const idsHistory = (ids: readonly string[], userId?: string): UserHistory => ({
  userId: userId ?? '',
  interactions: ids.map((itemId) => ({ itemId })),
});

export interface GrpcPorts {
  candidates: CandidatePort;
  reasons: ReasonPort;
  selection: SelectionPort;
  scorer: ScorerPort;
  close(): void;
}

/** One client per downstream service; `manifestHash` goes into every request's meta. */
export function createGrpcPorts(o: {
  addresses: DownstreamAddresses;
  credentials: ChannelCredentials;
  manifestHash?: string;
}): GrpcPorts {
  const candidateGen = new CandidateGenClient(o.addresses.candidateGen, o.credentials);
  const rationaleGen = new RationaleGenClient(o.addresses.rationaleGen, o.credentials);
  const totSelector = new TotSelectorClient(o.addresses.totSelector, o.credentials);
  const scorer = new ScorerClient(o.addresses.scorer, o.credentials);
  const meta = { requestId: '', datasetManifestHash: o.manifestHash ?? '' };
  const call = <Req, Res>(
    peer: keyof typeof PEERS,
    client: object,
    method: UnaryClientMethod<Req, Res>,
    name: string,
    req: Req,
    opts?: CallOptions,
  ) =>
    callDownstream(client, method, req, {
      ...PEERS[peer],
      method: name,
      deadline: opts?.deadline,
      signal: opts?.signal,
    });

  const generate = (
    req: Parameters<CandidatePort['generateCandidates']>[0] & {
      neighbours?: Omit<NeighbourQuery, 'history'>;
    },
    opts?: CallOptions,
  ) =>
    call(
      'candidateGen',
      candidateGen,
      candidateGen.generateCandidates,
      'GenerateCandidates',
      GenerateCandidatesRequest.fromPartial({
        meta,
        history: idsHistory(req.history, req.neighbours?.userId),
        k: req.k,
        excludeItemIds: [...(req.exclude ?? [])],
        similarUsers: req.neighbours && {
          k: req.neighbours.k,
          itemsPerUser: req.neighbours.itemsPerUser,
        },
        // For the scorer, which then runs no SASRec of its own.
        returnUserState: true,
      }),
      opts,
    );
  const scoredItems = (list: CandidateList | undefined) => ({
    items: (list?.candidates ?? []).map((c) => ({ itemId: c.itemId, score: c.score })),
    model: list?.model ?? '',
  });
  // The user is never their own neighbour, whatever the model directory indexed.
  const similarUsers = (users: ProtoSimilarUser[], userId: string | undefined) =>
    users
      .filter((u) => u.userId !== userId)
      .map((u) => ({ userId: u.userId, similarity: u.similarity, recentItemIds: u.recentItemIds }));

  const candidates: CandidatePort = {
    async generateCandidates(req, opts) {
      const res = await generate(req, opts);
      return { ...scoredItems(res.candidates), userState: fromProtoVector(res.userState) };
    },
    async candidatesAndNeighbours(req, opts) {
      const res = await generate(req, opts);
      return {
        ...scoredItems(res.candidates),
        neighbours: similarUsers(res.similarUsers, req.neighbours.userId),
        userState: fromProtoVector(res.userState),
      };
    },
    async scoreCandidates(req, opts) {
      const res = await call(
        'candidateGen',
        candidateGen,
        candidateGen.scoreCandidates,
        'ScoreCandidates',
        ScoreCandidatesRequest.fromPartial({
          meta,
          history: idsHistory(req.history),
          candidateItemIds: [...req.candidates],
        }),
        opts,
      );
      return (res.candidates?.candidates ?? []).map((c) => ({ itemId: c.itemId, score: c.score }));
    },
    async similarUsers(req, opts) {
      const res = await call(
        'candidateGen',
        candidateGen,
        candidateGen.similarUsers,
        'SimilarUsers',
        SimilarUsersRequest.fromPartial({
          meta,
          history: idsHistory(req.history, req.userId),
          k: req.k,
          itemsPerUser: req.itemsPerUser,
        }),
        opts,
      );
      return similarUsers(res.users, req.userId);
    },
  };

  const rationale = async (
    task: Parameters<typeof GenerateRationaleRequest.fromPartial>[0]['task'],
    opts?: CallOptions,
  ) => {
    const res = await call(
      'rationaleGen',
      rationaleGen,
      rationaleGen.generateRationale,
      'GenerateRationale',
      GenerateRationaleRequest.fromPartial({ meta, task }),
      opts,
    );
    const r = res.rationales[0];
    if (!r) throw new Error('rationale-gen returned no rationale');
    return { reason: r.reason, provider: r.provider, model: r.model };
  };
  const reasons: ReasonPort = {
    positive: (req, opts) =>
      rationale(
        {
          kind: RationaleKind.POSITIVE,
          history: toUserHistory(req.history),
          targetItemId: req.target.id,
          n: 1,
        },
        opts,
      ),
    baseReason: (req, opts) =>
      rationale(
        {
          kind: RationaleKind.BASE,
          history: toUserHistory(req.history),
          similarUserItemIds: similarIds(req.similarItems),
          n: 1,
        },
        opts,
      ),
    refine: (req, opts) =>
      rationale(
        {
          kind: RationaleKind.REFINE,
          history: toUserHistory(req.history),
          parentReason: req.parent,
          direction: req.direction,
          similarUserItemIds: similarIds(req.similarItems),
          n: 1,
        },
        opts,
      ),
  };

  /** TotSelector.Select: over a tree the caller sends (`nodes`), or one it expands itself. */
  const selectCall = (
    req: {
      history: HistoryEvent[];
      strategy: SelectionStrategy;
      baseReason: string;
      nodes?: ProtoNode[];
      depth?: number;
      b1?: number;
      b2?: number;
      similarUserItemIds?: string[];
      writeBaseReason?: boolean;
      /** The chain's random-leaf stream (the request's seed, else the user id). */
      seed: string;
    },
    opts?: CallOptions,
  ) =>
    call(
      'totSelector',
      totSelector,
      totSelector.select,
      'Select',
      SelectRequest.fromPartial({
        meta,
        ...req,
        history: toUserHistory(req.history),
        strategy: STRATEGY_TO_PROTO[req.strategy],
        seed: requestSeed(req.seed),
        returnTree: false,
        // For the scorer, which then does not encode the reason again.
        returnSelectedEmbedding: true,
      }),
      opts,
    );

  const selection: SelectionPort = {
    async expand(req, opts) {
      const res = await call(
        'totSelector',
        totSelector,
        totSelector.expand,
        'Expand',
        ExpandRequest.fromPartial({
          meta,
          history: toUserHistory(req.history),
          baseReason: req.base,
          ...levels(req.branching),
          similarUserItemIds: similarIds(req.similarItems),
        }),
        opts,
      );
      return { nodes: fromProtoNodes(res.nodes) };
    },
    async select(req, opts) {
      const res = await selectCall(
        {
          history: req.history,
          strategy: req.strategy,
          baseReason: req.nodes[0]?.reason ?? '',
          nodes: toProtoNodes(req.nodes),
          seed: req.seed,
        },
        opts,
      );
      const text = res.selected?.reason ?? '';
      const node = req.nodes.find((n) => n.reason === text) ?? {
        id: -1,
        depth: 0,
        parent: null,
        reason: text,
      };
      return { node, embedding: fromProtoVector(res.selectedEmbedding) };
    },
    // One round trip: tot-selector has rationale-gen write the base reason and the tree in one
    // call, selects, and says how long each part took.
    async reasonAndSelect(req, opts) {
      const res = await selectCall(
        {
          history: req.history,
          strategy: req.strategy,
          baseReason: '',
          writeBaseReason: true,
          ...levels(req.branching),
          // The base reason and the refinements see the neighbours' items.
          similarUserItemIds: similarIds(req.similarItems),
          seed: req.seed,
        },
        opts,
      );
      const text = res.selected?.reason ?? '';
      // A refinement selected from a full tree is a leaf, on its last level.
      const depth = res.selected?.kind === RationaleKind.REFINE ? req.branching.length : 0;
      const node: TreeNode = { id: -1, depth, parent: null, reason: text };
      const base = {
        reason: res.base?.reason ?? '',
        provider: res.base?.provider ?? '',
        model: res.base?.model ?? '',
      };
      return {
        node,
        base,
        baseMs: res.baseMs,
        expandMs: res.expandMs,
        score: res.score,
        embedding: fromProtoVector(res.selectedEmbedding),
      };
    },
  };

  const scorerPort: ScorerPort = {
    async score(req, opts) {
      const res = await call(
        'scorer',
        scorer,
        scorer.score,
        'Score',
        ScoreRequest.fromPartial({
          meta,
          history: toUserHistory(req.history),
          candidateItemIds: [...req.candidates],
          reason: req.reason ?? '',
          userState: toProtoVector(req.userState),
          reasonEmbedding: toProtoVector(req.reasonEmbedding),
        }),
        opts,
      );
      return (res.candidates?.candidates ?? []).map((c) => ({ itemId: c.itemId, score: c.score }));
    },
  };

  return {
    candidates,
    reasons,
    selection,
    scorer: scorerPort,
    close() {
      candidateGen.close();
      rationaleGen.close();
      totSelector.close();
      scorer.close();
    },
  };
}

const fromProtoVector = (v: ProtoVector | undefined): ModelVector | undefined =>
  v && { model: v.model, values: Float32Array.from(v.values) };
const toProtoVector = (v: ModelVector | undefined): ProtoVector | undefined =>
  v && { model: v.model, values: Array.from(v.values) };

const similarIds = (items: readonly { id: string }[] | undefined) => (items ?? []).map((i) => i.id);

/** The port's branching list as the proto's depth, b1 and b2 (every level below the first has b2). */
function levels(branching: readonly number[]): { depth: number; b1: number; b2: number } {
  const [b1, ...rest] = branching;
  const b2 = rest[0] ?? b1;
  if (rest.some((b) => b !== b2)) {
    throw new Error(
      `branching ${branching.join(',')}: over gRPC every level below the first has b2 children`,
    );
  }
  return { depth: branching.length, b1, b2 };
}

/** Path ids ("0", "0.1", "0.1.2") to the port's numeric ids; parents come first. */
function fromProtoNodes(nodes: ProtoNode[]): TreeNode[] {
  const index = new Map<string, number>();
  return nodes.map((n, i) => {
    index.set(n.id, i);
    return {
      id: i,
      depth: n.depth,
      parent: n.parentId === undefined ? null : (index.get(n.parentId) ?? null),
      reason: n.rationale?.reason ?? '',
    };
  });
}

function toProtoNodes(nodes: readonly TreeNode[]): ProtoNode[] {
  const ids: string[] = [];
  const children = new Map<number, number>();
  return nodes.map((n) => {
    if (n.parent === null) ids[n.id] = '0';
    else {
      const k = children.get(n.parent) ?? 0;
      children.set(n.parent, k + 1);
      ids[n.id] = `${ids[n.parent]}.${k}`;
    }
    return {
      id: ids[n.id],
      parentId: n.parent === null ? undefined : ids[n.parent],
      depth: n.depth,
      rationale: {
        reason: n.reason,
        evidence: [],
        provider: '',
        model: '',
        kind: RationaleKind.REFINE,
      },
      score: 0,
      selected: false,
    };
  });
}
