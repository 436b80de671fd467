import { ROOT_CONTEXT, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  type Dataset,
  type SplitName,
} from '@thoughtspace/data';
import {
  EVENT_TYPES,
  TOPICS,
  eventHeaders,
  interactionCodec,
  recRequestCodec,
  startSendSpan,
} from '@thoughtspace/kafka';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { historyEntries } from '@thoughtspace/text';
import type { Message, Producer } from 'kafkajs';

/** One evaluation case as a request plus its ground truth. */
export interface ReplayCase {
  requestId: string;
  userId: string;
  history: { itemId: string; rating?: number; review?: string }[];
  /** The protocol's candidates (target included); empty for full ranking (candidate-gen proposes k). */
  candidateItemIds: string[];
  targetItemId: string;
}

/**
 * A split's cases as `thoughtspace eval` sees them: the leave-one-out history
 * before the target, and, for a sampled protocol, the same seeded candidates.
 * Request ids are `req-<split>-<user id>`.
 */
export function replayCases(o: {
  dataset: Dataset;
  manifestHash: string;
  split: SplitName;
  protocol: string;
  seed: number;
  limit?: number;
}): ReplayCase[] {
  const protocol = parseProtocol(o.protocol);
  const loo = leaveOneOut(o.dataset);
  const set = buildEvaluationSet({
    dataset: o.dataset,
    datasetHash: o.manifestHash,
    split: o.split,
    protocol,
    seed: o.seed,
    loo,
  });
  const n = Math.min(o.limit ?? set.cases.length, set.cases.length);
  const full = o.protocol === 'full';
  const out: ReplayCase[] = [];
  for (let i = 0; i < n; i++) {
    const c = set.cases[i];
    const userId = o.dataset.userIds[c.user];
    out.push({
      requestId: `req-${o.split}-${userId}`,
      userId,
      history: historyEntries(o.dataset, c.user, c.history).map((e) => ({
        itemId: e.item.id,
        rating: e.rating,
        review: e.review,
      })),
      candidateItemIds: full
        ? []
        : Array.from(set.candidates[i].items, (it) => o.dataset.itemIds[it]),
      targetItemId: o.dataset.itemIds[c.target],
    });
  }
  return out;
}

export interface ReplayProgress {
  sent: number;
  total: number;
  elapsedMs: number;
  /** Achieved requests per second so far. */
  perSecond: number;
  /** Estimated time to the last request at the achieved rate. */
  etaMs: number;
}

export interface ReplayOptions {
  producer: Producer;
  cases: ReplayCase[];
  /** Requests (each with its ground truth) per second; Infinity = as fast as the broker takes them. */
  ratePerSecond: number;
  manifestHash: string;
  /** Ranking size for full-ranking requests (default 10). */
  k?: number;
  /** Selection strategy requested (empty = the stage's default). */
  method?: string;
  topics?: { requests?: string; interactions?: string };
  tracer?: Tracer;
  /** Called about every `progressEveryMs` (default 1000) and once at the end. */
  onProgress?(p: ReplayProgress): void;
  progressEveryMs?: number;
  /** Stop early (Ctrl-C). */
  signal?: AbortSignal;
}

const TICK_MS = 50;

/**
 * Publish each case's RecRequestEvent and InteractionEvent (keyed by user
 * id) at a fixed rate. Each request is one trace: a root `send
 * <rec-requests>` span whose context rides in the request's headers (so the
 * stages' and the evaluator's `process` spans join it), and a `send
 * <interactions>` child for its ground truth.
 */
export async function replay(o: ReplayOptions): Promise<ReplayProgress> {
  if (!(o.ratePerSecond > 0)) {
    throw new InvalidArgumentError(`rate: must be a positive number, got ${o.ratePerSecond}`);
  }
  const requests = o.topics?.requests ?? TOPICS.recRequests;
  const interactions = o.topics?.interactions ?? TOPICS.interactions;
  const k = o.k ?? 10;
  const every = o.progressEveryMs ?? 1000;
  const started = Date.now();
  let sent = 0;
  let lastProgress = started;
  const progress = (): ReplayProgress => {
    const elapsedMs = Date.now() - started;
    const perSecond = elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0;
    return {
      sent,
      total: o.cases.length,
      elapsedMs,
      perSecond,
      etaMs: perSecond > 0 ? ((o.cases.length - sent) * 1000) / perSecond : Infinity,
    };
  };
  while (sent < o.cases.length && !o.signal?.aborted) {
    const due = Number.isFinite(o.ratePerSecond)
      ? Math.floor(((Date.now() - started) * o.ratePerSecond) / 1000) + 1
      : o.cases.length;
    const upto = Math.min(o.cases.length, Math.max(due, sent), sent + 1000);
    if (upto > sent) {
      const spans: Span[] = [];
      const reqs: Message[] = [];
      const truths: Message[] = [];
      for (const c of o.cases.slice(sent, upto)) {
        const now = Date.now();
        const header = {
          requestId: c.requestId,
          userId: c.userId,
          producedAtUnixMs: now,
          datasetManifestHash: o.manifestHash,
        };
        const root = startSendSpan(o.tracer, requests, ROOT_CONTEXT, {
          'thoughtspace.request_id': c.requestId,
        });
        const ctx = trace.setSpan(ROOT_CONTEXT, root);
        const truth = startSendSpan(o.tracer, interactions, ctx, {
          'thoughtspace.request_id': c.requestId,
        });
        spans.push(truth, root);
        reqs.push({
          key: c.userId,
          value: recRequestCodec.encode({
            header,
            history: { userId: c.userId, interactions: c.history },
            k: c.candidateItemIds.length > 0 ? c.candidateItemIds.length : k,
            candidateItemIds: c.candidateItemIds,
            deadlineUnixMs: 0,
            method: o.method ?? '',
          }),
          headers: eventHeaders(EVENT_TYPES.recRequest, c.requestId, ctx),
        });
        truths.push({
          key: c.userId,
          value: interactionCodec.encode({ header, interaction: { itemId: c.targetItemId } }),
          headers: eventHeaders(EVENT_TYPES.interaction, c.requestId, trace.setSpan(ctx, truth)),
        });
      }
      await o.producer.sendBatch({
        topicMessages: [
          { topic: requests, messages: reqs },
          { topic: interactions, messages: truths },
        ],
      });
      for (const s of spans) s.end();
      sent = upto;
    }
    if (o.onProgress && Date.now() - lastProgress >= every) {
      lastProgress = Date.now();
      o.onProgress(progress());
    }
    if (sent < o.cases.length) await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const last = progress();
  o.onProgress?.(last);
  return last;
}
