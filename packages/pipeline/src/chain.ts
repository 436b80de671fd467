import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { Item } from '@thoughtspace/data';
import { leavesOf } from '@thoughtspace/tot-selector';
import type {
  CallOptions,
  CandidatePort,
  HistoryEvent,
  ModelVector,
  NeighbourQuery,
  PipelinePorts,
  Reason,
  ScoredItem,
  SelectionPort,
  SelectionStrategy,
  SimilarUser,
  TreeNode,
} from './ports';

/** The named stages of one recommendation, in order. */
export const STAGES = [
  'candidates',
  'similar-users',
  'base-reason',
  'expand',
  'select',
  'score',
] as const;
export type StageName = (typeof STAGES)[number];

export interface RecommendRequest {
  /** Known user id (excluded from its own neighbours); optional. */
  userId?: string;
  /** What the user did, oldest first; at least one event. */
  history: HistoryEvent[];
  /** Items to return, 1..100. */
  k: number;
  /** Candidates SASRec proposes before the scorer re-ranks (>= k). */
  candidates?: number;
  branching?: readonly number[];
  strategy?: SelectionStrategy;
  similarUsers?: number;
  itemsPerUser?: number;
  /** Seed stream for random-leaf selection. */
  seed?: string;
}

export interface RecommendResponse {
  items: ScoredItem[];
  /** The selected reason; absent when the answer degraded to scoring without one. */
  reason?: { text: string; strategy: SelectionStrategy; provider: string; model: string };
  /** Set when a reasoning stage failed: which one and why; the items are then scored without a reason. */
  degraded?: { stage: StageName; error: string };
  /** Milliseconds per stage that ran. */
  timings: Partial<Record<StageName, number>>;
}

export interface PipelineDefaults {
  candidates: number;
  branching: readonly number[];
  strategy: SelectionStrategy;
  similarUsers: number;
  itemsPerUser: number;
}

export const DEFAULT_PIPELINE: PipelineDefaults = {
  candidates: 50,
  branching: [2, 3],
  strategy: 'thought-space',
  similarUsers: 5,
  itemsPerUser: 2,
};

export interface Pipeline {
  recommend(req: RecommendRequest, opts?: CallOptions): Promise<RecommendResponse>;
}

const REASONING_STAGES: ReadonlySet<StageName> = new Set([
  'similar-users',
  'base-reason',
  'expand',
  'select',
]);

/**
 * The chain once, against ports: candidates -> similar users -> base reason
 * -> tree -> selection -> score. Candidates are generated while the reasoning
 * runs (only the scorer needs them). A failure in a reasoning stage does not
 * fail the request: the candidates are scored without a reason and
 * `degraded` says which stage failed. Candidate generation and scoring
 * failures throw.
 */
export function createPipeline(options: {
  ports: PipelinePorts;
  defaults?: Partial<PipelineDefaults>;
}): Pipeline {
  const { ports } = options;
  const defaults = { ...DEFAULT_PIPELINE, ...options.defaults };
  return {
    async recommend(req, opts) {
      validateRequest(req);
      const clock = new StageClock();
      const pool = Math.max(req.k, req.candidates ?? defaults.candidates);
      const { generated, neighbours } = candidatesAndNeighbours(
        ports.candidates,
        defaults,
        req,
        pool,
        clock,
        opts,
      );
      const reasoned = reasonFor(ports, req, neighbours, defaults, clock, opts).then(
        (r) => ({
          reason: { text: r.node.reason, strategy: r.strategy, ...writer(r.base) },
          embedding: r.embedding,
          degraded: undefined,
        }),
        (err: unknown) => {
          if (!REASONING_STAGES.has(clock.current) || opts?.signal?.aborted) throw err;
          const error = err instanceof Error ? err.message : String(err);
          return {
            reason: undefined,
            embedding: undefined,
            degraded: { stage: clock.current, error },
          };
        },
      );
      // A candidate-generation failure fails the request at once (the reasoning is left to finish).
      const [{ items: pooled, userState }, { reason, embedding, degraded }] = await Promise.all([
        generated,
        reasoned,
      ]);
      const scored = await clock.stage('score', () =>
        ports.scorer.score(
          {
            history: req.history,
            candidates: pooled.map((c) => c.itemId),
            reason: reason?.text ?? null,
            // What the earlier stages computed that the scorer would compute again.
            userState,
            reasonEmbedding: reason && embedding,
          },
          opts,
        ),
      );
      const items = [...scored]
        .sort((a, b) => b.score - a.score || a.itemId.localeCompare(b.itemId))
        .slice(0, req.k);
      return { items, reason, degraded, timings: clock.timings };
    },
  };
}

/** Milliseconds per stage, and the stage running now (the one a failure is charged to). */
class StageClock {
  readonly timings: RecommendResponse['timings'] = {};
  current: StageName = 'candidates';

  async stage<T>(name: StageName, run: () => Promise<T>): Promise<T> {
    if (REASONING_STAGES.has(name)) this.current = name;
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.timings[name] = performance.now() - started;
    }
  }
}

const historyIds = (req: Pick<RecommendRequest, 'history'>) => req.history.map((e) => e.item.id);
const writer = (r: Reason) => ({ provider: r.provider, model: r.model });

/** Whose neighbours the reasoning asks for, and how many of each one's items (request or defaults). */
const neighbourQuery = (
  req: Pick<RecommendRequest, 'userId' | 'similarUsers' | 'itemsPerUser'>,
  defaults: PipelineDefaults,
): Omit<NeighbourQuery, 'history'> => ({
  userId: req.userId,
  k: req.similarUsers ?? defaults.similarUsers,
  itemsPerUser: req.itemsPerUser ?? defaults.itemsPerUser,
});

/**
 * The `candidates` stage, and for the reasoning a function that waits for the
 * `similar-users` stage: one call where the port offers
 * candidatesAndNeighbours (both stages then time that call; a failure of it
 * is a candidate-generation failure), two calls otherwise.
 */
function candidatesAndNeighbours(
  port: CandidatePort,
  defaults: PipelineDefaults,
  req: RecommendRequest,
  pool: number,
  clock: StageClock,
  opts: CallOptions | undefined,
): {
  generated: Promise<{ items: ScoredItem[]; userState?: ModelVector }>;
  neighbours: () => Promise<SimilarUser[]>;
} {
  const history = historyIds(req);
  const query = neighbourQuery(req, defaults);
  const both = port.candidatesAndNeighbours;
  if (both) {
    const generated = clock.stage('candidates', () =>
      both.call(port, { history, k: pool, neighbours: query }, opts),
    );
    return {
      generated,
      neighbours: () => clock.stage('similar-users', async () => (await generated).neighbours),
    };
  }
  return {
    generated: clock.stage('candidates', () => port.generateCandidates({ history, k: pool }, opts)),
    neighbours: () =>
      clock.stage('similar-users', () => port.similarUsers({ history, ...query }, opts)),
  };
}

/** Similar users -> base reason -> tree -> selected reason, each a timed stage. */
async function reasonFor(
  ports: PipelinePorts,
  req: Omit<RecommendRequest, 'k' | 'candidates'>,
  similarUsers: () => Promise<SimilarUser[]>,
  defaults: PipelineDefaults,
  clock: StageClock,
  opts: CallOptions | undefined,
): Promise<Reasoned> {
  const ids = historyIds(req);
  const neighbours = await similarUsers();
  const own = new Set(ids);
  const similarIds = [
    ...new Set(neighbours.flatMap((n) => n.recentItemIds).filter((i) => !own.has(i))),
  ];
  const strategy = req.strategy ?? defaults.strategy;
  const tree = {
    history: req.history,
    branching: req.branching ?? defaults.branching,
    strategy,
    seed: req.seed ?? req.userId ?? '',
  };
  const oneCall = ports.selection.reasonAndSelect;
  if (strategy !== 'base-only' && oneCall) {
    // Base reason, tree and selection in one call; the port says how long each part took.
    const started = performance.now();
    const res = await clock.stage('base-reason', async () => {
      const similarItems = await ports.catalogue.items({ itemIds: similarIds }, opts);
      return oneCall.call(ports.selection, { ...tree, similarItems }, opts);
    });
    clock.timings['base-reason'] = res.baseMs;
    clock.timings.expand = res.expandMs;
    clock.timings.select = Math.max(0, performance.now() - started - res.baseMs - res.expandMs);
    return {
      node: res.node,
      score: res.score,
      strategy,
      base: res.base,
      embedding: res.embedding,
    };
  }
  let similarItems: Item[] = [];
  const base = await clock.stage('base-reason', async () => {
    similarItems = await ports.catalogue.items({ itemIds: similarIds }, opts);
    return ports.reasons.baseReason({ history: req.history, similarItems }, opts);
  });
  const selected = await selectInTree(
    ports.selection,
    { ...tree, base: base.reason, similarItems },
    clock,
    opts,
  );
  return { ...selected, strategy, base };
}

/** The chain's reasoning for one history: the selected node, its strategy score and the base's writer. */
export interface Reasoned {
  node: TreeNode;
  /** The strategy's score of the selected leaf, where the selection port reports it. */
  score?: number;
  strategy: SelectionStrategy;
  base: Reason;
  /** E1 of the selected reason, where the selection port returned it. */
  embedding?: ModelVector;
}

/**
 * Similar users -> base reason -> tree -> selected node for one history,
 * outside a Recommend: what Kafka's selection stage runs, so the stream and
 * the chain select the same reason.
 */
export function reasonForHistory(
  ports: PipelinePorts,
  req: Omit<RecommendRequest, 'k' | 'candidates'>,
  defaults: PipelineDefaults = DEFAULT_PIPELINE,
  opts?: CallOptions,
): Promise<Reasoned> {
  const query = { history: historyIds(req), ...neighbourQuery(req, defaults) };
  return reasonFor(
    ports,
    req,
    () => ports.candidates.similarUsers(query, opts),
    defaults,
    new StageClock(),
    opts,
  );
}

/** The tree below the base reason and its selected node: the `expand` and `select` stages. */
async function selectInTree(
  selection: SelectionPort,
  req: Parameters<SelectionPort['expand']>[0] & { strategy: SelectionStrategy; seed: string },
  clock: StageClock,
  opts: CallOptions | undefined,
): Promise<{ node: TreeNode; score?: number; embedding?: ModelVector }> {
  const { history, strategy, seed } = req;
  const nodes: TreeNode[] = await clock.stage('expand', async () =>
    strategy === 'base-only'
      ? [{ id: 0, depth: 0, parent: null, reason: req.base }]
      : (await selection.expand(req, opts)).nodes,
  );
  const selected = await clock.stage('select', () =>
    selection.select({ nodes, history, strategy, seed }, opts),
  );
  // leafScores are in the order of the tree's leaves.
  const leaf = leavesOf(nodes).findIndex((n) => n.id === selected.node.id);
  const score = selected.leafScores?.[leaf];
  return { node: selected.node, score, embedding: selected.embedding };
}

function validateRequest(req: RecommendRequest): void {
  if (!Array.isArray(req.history) || req.history.length === 0)
    throw new InvalidArgumentError('history: must contain at least one interaction');
  req.history.forEach((e, i) => {
    if (!e?.item?.id) throw new InvalidArgumentError(`history[${i}].item.id: must not be empty`);
  });
  if (!Number.isInteger(req.k) || req.k < 1 || req.k > 100)
    throw new InvalidArgumentError(`k: must be between 1 and 100, got ${req.k}`);
  if (req.candidates !== undefined && (!Number.isInteger(req.candidates) || req.candidates < 1))
    throw new InvalidArgumentError(`candidates: must be a positive integer, got ${req.candidates}`);
}
