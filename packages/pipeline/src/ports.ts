/**
 * The ports of the chain (candidates -> base reason -> tree -> selection ->
 * score). Each port is what one stage needs from the service that owns it,
 * per request, in plain objects, so that the same chain runs in-process (the
 * main job, tests), over gRPC (the gateway) and over Kafka (stage workers).
 *
 * Rules every adapter keeps:
 * - arguments and results are plain data (strings, numbers, arrays,
 *   Float32Array vectors); no class instances, no callbacks;
 * - every method is async and takes an optional `CallOptions` last, so an
 *   RPC adapter can pass the remaining deadline and cancel;
 * - bad input is rejected with a typed error from @thoughtspace/runtime
 *   (InvalidArgumentError, NotFoundError, ...) naming the field; an adapter
 *   maps transport failures to UnavailableError naming the service;
 * - nothing derived from an evaluated target reaches these calls (the
 *   leakage rule): `history` is always what the user did before.
 */
import type { Item } from '@thoughtspace/data';

/** One past interaction as the stages see it: the item with its side information. */
export interface HistoryEvent {
  item: Item;
  /** Explicit rating (1-5 stars on Amazon), when known. */
  rating?: number;
  /** Review body, untrusted text. */
  review?: string;
}

/** Per-call options every port method accepts. */
export interface CallOptions {
  /** Abort the call (client cancelled, budget spent). */
  signal?: AbortSignal;
  /** Absolute deadline, `Date.now()` milliseconds; an RPC adapter sends the remaining budget. */
  deadline?: number;
}

/**
 * A vector one stage computed, named by the model that computed it, which a
 * later stage may use instead of running the same model again (proto
 * ModelVector): the scorer takes candidate-gen's user state and
 * tot-selector's E1 of the selected reason when they name its own models.
 */
export interface ModelVector {
  model: string;
  values: Float32Array;
}

/** An item id with a model score (higher = better). */
export interface ScoredItem {
  itemId: string;
  score: number;
}

/** A neighbour in user-embedding space and the items they had most recently. */
export interface SimilarUser {
  userId: string;
  /** Cosine of user embeddings, in [-1, 1]. */
  similarity: number;
  /** The neighbour's most recent items (as of the model's split), newest first. */
  recentItemIds: string[];
}

/** candidate-gen: SASRec candidates, candidate scores and similar users. */
export interface CandidatePort {
  /** The k best items for a history over the whole catalogue, best first (history excluded). */
  generateCandidates(
    req: { history: readonly string[]; k: number; exclude?: readonly string[] },
    opts?: CallOptions,
  ): Promise<{ items: ScoredItem[]; model: string; userState?: ModelVector }>;
  /** SASRec logits of the given candidates, in request order. */
  scoreCandidates(
    req: { history: readonly string[]; candidates: readonly string[] },
    opts?: CallOptions,
  ): Promise<ScoredItem[]>;
  /**
   * The k nearest users by cosine of user states (score desc, user index asc),
   * `itemsPerUser` of each one's most recent items; `userId`, when given, is
   * never its own neighbour.
   */
  similarUsers(req: NeighbourQuery, opts?: CallOptions): Promise<SimilarUser[]>;
  /**
   * generateCandidates and similarUsers for one history in one call, where
   * a transport makes that cheaper (the gateway's gRPC adapter: one round
   * trip instead of two). Optional: the chain makes both calls without it.
   */
  candidatesAndNeighbours?(
    req: {
      history: readonly string[];
      k: number;
      neighbours: Omit<NeighbourQuery, 'history'>;
    },
    opts?: CallOptions,
  ): Promise<{
    items: ScoredItem[];
    model: string;
    neighbours: SimilarUser[];
    /** The history's user state the candidates came from, where the adapter returns it. */
    userState?: ModelVector;
  }>;
}

/** Whose neighbours similarUsers finds, and how many of each one's recent items. */
export interface NeighbourQuery {
  history: readonly string[];
  /** Never its own neighbour. */
  userId?: string;
  k: number;
  itemsPerUser: number;
}

/** Item side information (title, brand, ...) for ids: the text every reason is written from. */
export interface CataloguePort {
  /** One item per id, in request order; an unknown id is a NotFoundError naming it. */
  items(req: { itemIds: readonly string[] }, opts?: CallOptions): Promise<Item[]>;
}

/** A reason in natural language and who wrote it. */
export interface Reason {
  reason: string;
  /** `embedded`, `llama-cpp` or `openai`. */
  provider: string;
  model: string;
}

/** rationale-gen: the three kinds of rationale of the method. */
export interface ReasonPort {
  /** Why this user chose `target`: training targets only (Phase I). */
  positive(req: { history: HistoryEvent[]; target: Item }, opts?: CallOptions): Promise<Reason>;
  /** A base reason from the history and similar users' items; never sees a target. */
  baseReason(
    req: { history: HistoryEvent[]; similarItems: Item[] },
    opts?: CallOptions,
  ): Promise<Reason>;
  /** One refinement of `parent` in one direction (with the base reason's similar users' items, if known). */
  refine(
    req: { history: HistoryEvent[]; parent: string; direction: string; similarItems?: Item[] },
    opts?: CallOptions,
  ): Promise<Reason>;
}

/** One node of a reasoning tree; the base reason is the root (id 0, depth 0). */
export interface TreeNode {
  id: number;
  depth: number;
  parent: number | null;
  reason: string;
  direction?: string;
}

/** How a leaf is chosen: the method and its ablations. */
export type SelectionStrategy =
  'thought-space' | 'random-leaf' | 'base-only' | 'generic-semantic' | 'log-likelihood';

/** tot-selector: tree expansion and selection. */
export interface SelectionPort {
  /**
   * Expands `base` breadth-first: every node at level l gets branching[l]
   * refinements. Returns all nodes, root first.
   */
  expand(
    req: {
      history: HistoryEvent[];
      base: string;
      branching: readonly number[];
      /** The base reason's similar users' items, for the neighbours' items operator (optional). */
      similarItems?: Item[];
    },
    opts?: CallOptions,
  ): Promise<{ nodes: TreeNode[] }>;
  /**
   * The leaf (or the root for base-only) that best fits the behaviour context
   * rendered from `history`; `seed` drives random-leaf (e.g. `${seed}|${user}`).
   */
  select(
    req: {
      nodes: TreeNode[];
      history: HistoryEvent[];
      strategy: SelectionStrategy;
      seed: string;
    },
    opts?: CallOptions,
  ): Promise<{
    node: TreeNode;
    leafScores?: number[];
    /** E1 of the selected reason, where the adapter returns it. */
    embedding?: ModelVector;
  }>;
  /**
   * Optional: the base reason, the tree and the selection in one call, for
   * adapters where a call costs a round trip (the gateway's gRPC port:
   * tot-selector has rationale-gen write the base and the tree together).
   * Same base, tree and choice as baseReason, expand, select; `base` is the
   * base reason with its writer; `baseMs` and `expandMs` are those stages'
   * shares of the time, so the chain still times the stages apart; `score`
   * is the strategy's score of the selected leaf. Never for base-only.
   */
  reasonAndSelect?(
    req: {
      history: HistoryEvent[];
      similarItems: Item[];
      branching: readonly number[];
      strategy: SelectionStrategy;
      seed: string;
    },
    opts?: CallOptions,
  ): Promise<{
    node: TreeNode;
    base: Reason;
    baseMs: number;
    expandMs: number;
    score?: number;
    /** E1 of the selected reason, where the adapter returns it. */
    embedding?: ModelVector;
  }>;
}

/** encoder: the Thought Space towers E1 (rationales) and E2 (behaviours); unit vectors. */
export interface ThoughtSpacePort {
  encodeRationales(req: { texts: readonly string[] }, opts?: CallOptions): Promise<Float32Array[]>;
  encodeBehaviours(req: { texts: readonly string[] }, opts?: CallOptions): Promise<Float32Array[]>;
}

/** scorer: one logit per candidate given the history and the selected reason. */
export interface ScorerPort {
  /**
   * Scores `candidates` for `history`; `reason` null scores without a reason
   * (the degraded answer). Results in request order.
   */
  score(
    req: {
      history: HistoryEvent[];
      candidates: readonly string[];
      reason: string | null;
      /** The history's user state from candidate generation (the scorer may reuse it). */
      userState?: ModelVector;
      /** E1 of `reason` from the selection (the scorer may reuse it). */
      reasonEmbedding?: ModelVector;
    },
    opts?: CallOptions,
  ): Promise<ScoredItem[]>;
}

/** Everything the chain calls; one adapter set per transport. */
export interface PipelinePorts {
  candidates: CandidatePort;
  catalogue: CataloguePort;
  reasons: ReasonPort;
  selection: SelectionPort;
  scorer: ScorerPort;
}
