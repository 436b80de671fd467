import { ROOT_CONTEXT, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { eventHeaders, readHeaders } from './headers';
import { EVENT_TYPES } from './topics';

describe('record headers', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('carry the request id, event type, schema version, content type and W3C trace context', () => {
    const span = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    const headers = eventHeaders(
      EVENT_TYPES.prediction,
      'r1',
      trace.setSpanContext(ROOT_CONTEXT, span),
    );
    expect(headers).toMatchObject({
      'request-id': 'r1',
      'event-type': 'thoughtspace.v1.PredictionEvent',
      'schema-version': '1',
      'content-type': 'application/x-protobuf',
      traceparent: `00-${span.traceId}-${span.spanId}-01`,
    });
    // As kafkajs delivers them: Buffers.
    const received = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]),
    );
    const meta = readHeaders(received);
    expect(meta.requestId).toBe('r1');
    expect(trace.getSpanContext(meta.context)).toMatchObject({
      traceId: span.traceId,
      spanId: span.spanId,
      isRemote: true,
    });
  });
});
