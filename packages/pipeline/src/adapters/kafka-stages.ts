import {
  RationaleKind,
  type CandidatesEvent,
  type PredictionEvent,
  type RecRequestEvent,
  type SelectionEvent,
  type UserHistory,
} from '@thoughtspace/proto';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { STRATEGY_TO_PROTO } from '@thoughtspace/tot-selector';
import { DEFAULT_PIPELINE, reasonForHistory, type PipelineDefaults } from '../chain';
import type { HistoryEvent, PipelinePorts, SelectionStrategy } from '../ports';

/**
 * The chain's stages as Kafka stage handlers (for @thoughtspace/kafka's
 * createStageWorker): each translates its input event to port calls and the
 * result to the next event, running the same steps as `createPipeline`, so a
 * request through rec-requests -> candidates -> selections -> predictions
 * gets the ranking the in-process chain gives it. Errors are the ports' typed
 * errors: retriable ones are retried by the worker, the rest dead-lettered.
 */
export interface KafkaStageHandlers {
  /** candidate-gen: RecRequestEvent -> CandidatesEvent. */
  candidates(e: RecRequestEvent): Promise<CandidatesEvent>;
  /** tot-selector: CandidatesEvent -> SelectionEvent (similar users, base reason, tree, selection). */
  selection(e: CandidatesEvent): Promise<SelectionEvent>;
  /** scorer: SelectionEvent -> PredictionEvent. */
  scorer(e: SelectionEvent): Promise<PredictionEvent>;
}

function strategyOf(method: string, fallback: SelectionStrategy): SelectionStrategy {
  if (!method) return fallback;
  if (method in STRATEGY_TO_PROTO) return method as SelectionStrategy;
  throw new InvalidArgumentError(
    `method: "${method.slice(0, 40)}" is not a selection strategy (${Object.keys(STRATEGY_TO_PROTO).join(', ')})`,
  );
}

function checkDeadline(deadline: number, now: number): void {
  if (deadline > 0 && now > deadline) {
    throw new InvalidArgumentError(`deadline_unix_ms: expired ${now - deadline} ms ago`);
  }
}

function historyIds(h: UserHistory | undefined): string[] {
  const ids = (h?.interactions ?? []).map((i) => i.itemId);
  if (ids.length === 0) {
    throw new InvalidArgumentError('history.interactions: must contain at least one interaction');
  }
  return ids;
}

export function kafkaStageHandlers(options: {
  ports: PipelinePorts;
  defaults?: Partial<PipelineDefaults>;
  now?: () => number;
  /** Written into every prediction (Prediction.model_version): the model version the scorer serves. */
  modelVersion?: string;
}): KafkaStageHandlers {
  const { ports } = options;
  const defaults = { ...DEFAULT_PIPELINE, ...options.defaults };
  const now = options.now ?? Date.now;

  const historyEvents = async (h: UserHistory | undefined): Promise<HistoryEvent[]> => {
    const ids = historyIds(h);
    const items = await ports.catalogue.items({ itemIds: ids });
    return h!.interactions.map((it, i) => ({
      item: items[i],
      rating: it.rating,
      review: it.review,
    }));
  };

  return {
    async candidates(e) {
      checkDeadline(e.deadlineUnixMs, now());
      const ids = historyIds(e.history);
      let candidates: { itemId: string; score: number }[];
      let model = '';
      if (e.candidateItemIds.length > 0) {
        candidates = await ports.candidates.scoreCandidates({
          history: ids,
          candidates: e.candidateItemIds,
        });
      } else {
        const generated = await ports.candidates.generateCandidates({ history: ids, k: e.k });
        candidates = generated.items;
        model = generated.model;
      }
      return {
        header: e.header,
        history: e.history,
        candidates: { candidates, model },
        deadlineUnixMs: e.deadlineUnixMs,
        method: e.method,
      };
    },

    async selection(e) {
      checkDeadline(e.deadlineUnixMs, now());
      const strategy = strategyOf(e.method, defaults.strategy);
      const history = await historyEvents(e.history);
      const userId = e.header!.userId;
      // The chain's own reasoning (similar users, base reason, tree, selection).
      const { node, score, base } = await reasonForHistory(
        ports,
        { history, userId, strategy },
        defaults,
      );
      return {
        header: e.header,
        history: e.history,
        candidates: e.candidates,
        selected: {
          reason: node.reason,
          evidence: [],
          provider: base.provider,
          model: base.model,
          kind: node.depth === 0 ? RationaleKind.BASE : RationaleKind.REFINE,
        },
        score: score ?? 0,
        strategy: STRATEGY_TO_PROTO[strategy],
        deadlineUnixMs: e.deadlineUnixMs,
        method: strategy,
      };
    },

    async scorer(e) {
      checkDeadline(e.deadlineUnixMs, now());
      const history = await historyEvents(e.history);
      const candidateIds = e.candidates!.candidates.map((c) => c.itemId);
      const scored = await ports.scorer.score({
        history,
        candidates: candidateIds,
        reason: e.selected!.reason,
      });
      return {
        header: e.header,
        prediction: {
          userId: e.header!.userId,
          candidateItemIds: scored.map((s) => s.itemId),
          scores: scored.map((s) => s.score),
          method: e.method,
          provider: e.selected!.provider,
          modelVersion: options.modelVersion ?? '',
        },
      };
    },
  };
}
