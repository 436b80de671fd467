import { context as otelContext, propagation, type Context } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { CONTENT_TYPE, SCHEMA_VERSION, type EventType } from './topics';

/** Record header names. traceparent/tracestate are W3C trace context, written by the propagator. */
export const HEADERS = {
  requestId: 'request-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  contentType: 'content-type',
  dlqReason: 'dlq-reason',
  dlqTopic: 'dlq-source-topic',
  dlqPartition: 'dlq-source-partition',
  dlqOffset: 'dlq-source-offset',
  dlqGroup: 'dlq-consumer-group',
} as const;

export interface RecordMeta {
  requestId?: string;
  eventType?: string;
  schemaVersion?: string;
  contentType?: string;
  /** The producer's trace context (the active context when no traceparent came). */
  context: Context;
}

/** Headers for a new record: request id, event type, schema version, content type and the trace context of `ctx`. */
export function eventHeaders(
  type: EventType,
  requestId: string,
  ctx: Context = otelContext.active(),
): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADERS.requestId]: requestId,
    [HEADERS.eventType]: type,
    [HEADERS.schemaVersion]: SCHEMA_VERSION,
    [HEADERS.contentType]: CONTENT_TYPE,
  };
  propagation.inject(ctx, headers);
  return headers;
}

/** One header as a string (kafkajs hands them over as Buffers). */
export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

/** Read the well-known headers and extract the producer's trace context. */
export function readHeaders(headers: IHeaders | undefined): RecordMeta {
  const carrier: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const v = headerString(headers, name);
    if (v !== undefined) carrier[name] = v;
  }
  return {
    requestId: carrier[HEADERS.requestId],
    eventType: carrier[HEADERS.eventType],
    schemaVersion: carrier[HEADERS.schemaVersion],
    contentType: carrier[HEADERS.contentType],
    context: propagation.extract(otelContext.active(), carrier),
  };
}
