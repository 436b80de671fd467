/**
 * Every topic and event type of the asynchronous chain, in one place
 * (kafkajs `instrumentationEvents.js` style). Records are keyed by user id.
 *
 *   rec-requests -> candidate-gen -> candidates -> tot-selector -> selections
 *   -> scorer -> predictions -> evaluator (+ interactions) -> metrics
 */
export const TOPICS = {
  recRequests: 'thoughtspace.rec-requests.v1',
  candidates: 'thoughtspace.candidates.v1',
  selections: 'thoughtspace.selections.v1',
  predictions: 'thoughtspace.predictions.v1',
  interactions: 'thoughtspace.interactions.v1',
  metrics: 'thoughtspace.metrics.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** The `event-type` header: the fully qualified protobuf message name of the payload. */
export const EVENT_TYPES = {
  recRequest: 'thoughtspace.v1.RecRequestEvent',
  candidates: 'thoughtspace.v1.CandidatesEvent',
  selection: 'thoughtspace.v1.SelectionEvent',
  prediction: 'thoughtspace.v1.PredictionEvent',
  interaction: 'thoughtspace.v1.InteractionEvent',
  metrics: 'thoughtspace.v1.MetricsEvent',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** Version of the payload schema written in the `schema-version` header. */
export const SCHEMA_VERSION = '1';

/** Content type of every payload. */
export const CONTENT_TYPE = 'application/x-protobuf';

/** Each consumer group dead-letters into its own topic. */
export function deadLetterTopic(group: string): string {
  return `thoughtspace.dlq.${group}.v1`;
}
