import {
  createPipeline,
  type CallOptions,
  type CandidatePort,
  type HistoryEvent,
  type PipelineDefaults,
  type PipelinePorts,
  type RecommendResponse,
  type SelectionPort,
  type SelectionStrategy,
} from '@thoughtspace/pipeline';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { Catalogue } from './catalogue';

export interface Budgets {
  /** Most time the reasoning stages (similar users .. select) may take, ms. */
  reasoningMs: number;
  /** Time always kept back for scoring after reasoning, ms. */
  scoreReserveMs: number;
}

export const DEFAULT_BUDGETS: Budgets = { reasoningMs: 2000, scoreReserveMs: 100 };

export interface RecommendInput {
  /** An explicit history; when absent, the catalogue's history of `userId`. */
  history?: HistoryEvent[];
  /** The user: looked up when there is no history; never their own similar user. */
  userId?: string;
  k: number;
  candidates?: number;
  branching?: number[];
  strategy?: SelectionStrategy;
  similarUsers?: number;
  seed?: string;
}

export interface Recommendation extends RecommendResponse {
  strategy: SelectionStrategy;
}

export interface Recommender {
  recommend(
    input: RecommendInput,
    opts: Required<Pick<CallOptions, 'deadline'>> & CallOptions,
  ): Promise<Recommendation>;
}

/**
 * The chain over the ports with the gateway's budget rule: candidate
 * generation and scoring get the request's whole remaining deadline; the
 * reasoning stages get at most `reasoningMs` and never eat into the time
 * scoring needs, so a slow or dead rationale-gen / tot-selector / encoder
 * ends in a degraded answer (scored without a reason, flagged) instead of a
 * missed deadline.
 */
export function createRecommender(o: {
  ports: Omit<PipelinePorts, 'catalogue'>;
  catalogue: Catalogue;
  defaults?: Partial<PipelineDefaults>;
  budgets?: Partial<Budgets>;
  now?: () => number;
}): Recommender {
  const budgets = { ...DEFAULT_BUDGETS, ...o.budgets };
  const now = o.now ?? Date.now;
  const strategyDefault = o.defaults?.strategy ?? 'thought-space';
  return {
    async recommend(input, opts) {
      if (input.history === undefined && input.userId === undefined) {
        throw new InvalidArgumentError('one of history or user_id is required');
      }
      const history = input.history ?? o.catalogue.userHistory(input.userId!);
      const started = now();
      const reasoningDeadline = Math.min(
        started + budgets.reasoningMs,
        opts.deadline - budgets.scoreReserveMs,
      );
      const reasoning = (call: CallOptions | undefined): CallOptions => ({
        signal: call?.signal,
        deadline: Math.min(call?.deadline ?? reasoningDeadline, reasoningDeadline),
      });
      const port = o.ports.candidates;
      const both = port.candidatesAndNeighbours;
      const candidates: CandidatePort = {
        generateCandidates: (req, c) => port.generateCandidates(req, c),
        scoreCandidates: (req, c) => port.scoreCandidates(req, c),
        similarUsers: (req, c) => port.similarUsers(req, reasoning(c)),
        // Carries the candidates, so it gets the whole deadline, as generateCandidates does.
        candidatesAndNeighbours: both && ((req, c) => both.call(port, req, c)),
      };
      const pipeline = createPipeline({
        ports: {
          candidates,
          catalogue: o.catalogue,
          reasons: {
            positive: (req, c) => o.ports.reasons.positive(req, reasoning(c)),
            baseReason: (req, c) => o.ports.reasons.baseReason(req, reasoning(c)),
            refine: (req, c) => o.ports.reasons.refine(req, reasoning(c)),
          },
          selection: withBudget(o.ports.selection, reasoning),
          scorer: o.ports.scorer,
        },
        defaults: o.defaults,
      });
      const strategy = input.strategy ?? strategyDefault;
      const res = await pipeline.recommend(
        {
          userId: input.userId,
          history,
          k: input.k,
          candidates: input.candidates,
          branching: input.branching,
          strategy,
          similarUsers: input.similarUsers,
          seed: input.seed,
        },
        { deadline: opts.deadline, signal: opts.signal },
      );
      return { ...res, strategy };
    },
  };
}

/** The selection port with every call under the reasoning budget. */
function withBudget(
  selection: SelectionPort,
  budget: (call: CallOptions | undefined) => CallOptions,
): SelectionPort {
  const { reasonAndSelect } = selection;
  return {
    expand: (req, c) => selection.expand(req, budget(c)),
    select: (req, c) => selection.select(req, budget(c)),
    reasonAndSelect: reasonAndSelect
      ? (req, c) => reasonAndSelect.call(selection, req, budget(c))
      : undefined,
  };
}
