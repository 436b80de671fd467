import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { Item } from '@thoughtspace/data';
import type {
  CallOptions,
  HistoryEvent,
  PipelinePorts,
  ScoredItem,
  SelectionStrategy,
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
 * -> tree -> selection -> score. A failure in a reasoning stage does not fail
 * the request: the candidates are scored without a reason and `degraded`
 * says which stage failed. Candidate generation and scoring failures throw.
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
      const timings: RecommendResponse['timings'] = {};
      const stage = async <T>(name: StageName, run: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        try {
          return await run();
        } finally {
          timings[name] = performance.now() - started;
        }
      };
      const ids = req.history.map((e) => e.item.id);
      const pool = Math.max(req.k, req.candidates ?? defaults.candidates);
      const generated = await stage('candidates', () =>
        ports.candidates.generateCandidates({ history: ids, k: pool }, opts),
      );
      const candidates = generated.items.map((c) => c.itemId);
      const strategy = req.strategy ?? defaults.strategy;

      let reason: RecommendResponse['reason'];
      let degraded: RecommendResponse['degraded'];
      let current: StageName = 'similar-users';
      const step = <T>(name: StageName, run: () => Promise<T>): Promise<T> => {
        current = name;
        return stage(name, run);
      };
      try {
        const neighbours = await step('similar-users', () =>
          ports.candidates.similarUsers(
            {
              history: ids,
              userId: req.userId,
              k: req.similarUsers ?? defaults.similarUsers,
              itemsPerUser: req.itemsPerUser ?? defaults.itemsPerUser,
            },
            opts,
          ),
        );
        const own = new Set(ids);
        const similarIds = [
          ...new Set(neighbours.flatMap((n) => n.recentItemIds).filter((i) => !own.has(i))),
        ];
        let similarItems: Item[] = [];
        const base = await step('base-reason', async () => {
          similarItems = await ports.catalogue.items({ itemIds: similarIds }, opts);
          return ports.reasons.baseReason({ history: req.history, similarItems }, opts);
        });
        const tree: TreeNode[] = await step('expand', async () =>
          strategy === 'base-only'
            ? [{ id: 0, depth: 0, parent: null, reason: base.reason }]
            : (
                await ports.selection.expand(
                  {
                    history: req.history,
                    base: base.reason,
                    branching: req.branching ?? defaults.branching,
                    similarItems,
                  },
                  opts,
                )
              ).nodes,
        );
        const selected = await step('select', () =>
          ports.selection.select(
            {
              nodes: tree,
              history: req.history,
              strategy,
              seed: req.seed ?? req.userId ?? '',
            },
            opts,
          ),
        );
        reason = {
          text: selected.node.reason,
          strategy,
          provider: base.provider,
          model: base.model,
        };
      } catch (err) {
        if (!REASONING_STAGES.has(current) || opts?.signal?.aborted) throw err;
        degraded = { stage: current, error: err instanceof Error ? err.message : String(err) };
      }
      const scored = await stage('score', () =>
        ports.scorer.score(
          { history: req.history, candidates, reason: reason?.text ?? null },
          opts,
        ),
      );
      const items = [...scored]
        .sort((a, b) => b.score - a.score || a.itemId.localeCompare(b.itemId))
        .slice(0, req.k);
      return { items, reason, degraded, timings };
    },
  };
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
