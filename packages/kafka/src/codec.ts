import {
  CandidatesEvent,
  InteractionEvent,
  MetricsEvent,
  PredictionEvent,
  RecRequestEvent,
  SelectionEvent,
  type EventHeader,
} from '@thoughtspace/proto';
import { describeError } from '@thoughtspace/runtime';
import { InvalidEventError } from './errors';
import { EVENT_TYPES, type EventType } from './topics';

/** The ts-proto message functions a codec needs. */
interface MessageFns<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/**
 * Encodes and decodes one event type and checks the fields a consumer relies
 * on. A protobuf decoder accepts many byte strings (a message of another type
 * often decodes without error), so `validate` is what catches wrong-type and
 * incomplete payloads.
 */
export interface EventCodec<T> {
  type: EventType;
  encode(event: T): Buffer;
  /** Decode and validate; throws InvalidEventError naming the bad field. */
  decode(bytes: Buffer | Uint8Array | null): T;
  header(event: T): EventHeader;
}

type Check<T> = (event: T) => string | undefined;

function codec<T extends { header?: EventHeader }>(
  type: EventType,
  fns: MessageFns<T>,
  check: Check<T>,
): EventCodec<T> {
  return {
    type,
    encode: (event) => Buffer.from(fns.encode(event).finish()),
    decode(bytes) {
      if (bytes === null || bytes.length === 0) {
        throw new InvalidEventError(`${type}: empty record value`);
      }
      let event: T;
      try {
        event = fns.decode(bytes);
      } catch (err) {
        throw new InvalidEventError(`${type}: undecodable protobuf (${describeError(err)})`);
      }
      const problem = checkHeader(event.header) ?? check(event);
      if (problem) throw new InvalidEventError(`${type}: ${problem}`);
      return event;
    },
    header: (event) => event.header!,
  };
}

function checkHeader(h: EventHeader | undefined): string | undefined {
  if (!h) return 'missing required field "header"';
  if (!h.requestId) return 'missing required field "header.request_id"';
  if (!h.userId) return 'missing required field "header.user_id"';
  return undefined;
}

function checkCandidates(ids: string[], where: string): string | undefined {
  if (ids.length === 0) return `missing required field "${where}" (empty)`;
  if (ids.some((id) => !id)) return `"${where}" has an empty item id`;
  if (new Set(ids).size !== ids.length) return `"${where}" has duplicate item ids`;
  return undefined;
}

export const recRequestCodec = codec(EVENT_TYPES.recRequest, RecRequestEvent, (e) => {
  if (!e.history) return 'missing required field "history"';
  if (e.candidateItemIds.length > 0)
    return checkCandidates(e.candidateItemIds, 'candidate_item_ids');
  if (e.k < 1 || e.k > 1000) return `field "k" must be in 1..1000, got ${e.k}`;
  return undefined;
});

export const candidatesCodec = codec(EVENT_TYPES.candidates, CandidatesEvent, (e) => {
  if (!e.history) return 'missing required field "history"';
  if (!e.candidates) return 'missing required field "candidates"';
  return checkCandidates(
    e.candidates.candidates.map((c) => c.itemId),
    'candidates.candidates',
  );
});

export const selectionCodec = codec(EVENT_TYPES.selection, SelectionEvent, (e) => {
  if (!e.history) return 'missing required field "history"';
  if (!e.candidates) return 'missing required field "candidates"';
  if (!e.selected) return 'missing required field "selected"';
  return checkCandidates(
    e.candidates.candidates.map((c) => c.itemId),
    'candidates.candidates',
  );
});

export const predictionCodec = codec(EVENT_TYPES.prediction, PredictionEvent, (e) => {
  const p = e.prediction;
  if (!p) return 'missing required field "prediction"';
  const bad = checkCandidates(p.candidateItemIds, 'prediction.candidate_item_ids');
  if (bad) return bad;
  if (p.scores.length !== p.candidateItemIds.length) {
    return `field "prediction.scores" must be as long as "prediction.candidate_item_ids" (${p.candidateItemIds.length}), got ${p.scores.length}`;
  }
  const i = p.scores.findIndex((s) => !Number.isFinite(s));
  if (i >= 0) return `prediction.scores[${i}] must be a finite number`;
  if (p.targetItemId !== undefined && !p.candidateItemIds.includes(p.targetItemId)) {
    return 'field "prediction.target_item_id" is not among the candidates';
  }
  return undefined;
});

export const interactionCodec = codec(EVENT_TYPES.interaction, InteractionEvent, (e) => {
  if (!e.interaction) return 'missing required field "interaction"';
  if (!e.interaction.itemId) return 'missing required field "interaction.item_id"';
  return undefined;
});

export const metricsCodec = codec(EVENT_TYPES.metrics, MetricsEvent, (e) =>
  e.metrics ? undefined : 'missing required field "metrics"',
);
