import { SpanKind, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';

export const TRACER_NAME = '@thoughtspace/kafka';

/** Where a consumed record came from, for its `process <topic>` span. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
}

/**
 * The consumer span of one record (OpenTelemetry messaging conventions, as
 * @opentelemetry/instrumentation-kafkajs names them): `process <topic>`,
 * kind CONSUMER, child of the producer's context read from the headers.
 */
export function startProcessSpan(
  tracer: Tracer | undefined,
  record: ConsumedRecord,
  parent: Context,
): Span {
  return (tracer ?? trace.getTracer(TRACER_NAME)).startSpan(
    `process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation': 'process',
        'messaging.destination.name': record.topic,
        'messaging.kafka.destination.partition': record.partition,
        'messaging.kafka.message.offset': Number(record.offset),
        'messaging.kafka.consumer.group': record.groupId,
      },
    },
    parent,
  );
}

/**
 * The producer span of one record: `send <topic>`, kind PRODUCER. Its context
 * goes into the record's headers (eventHeaders(type, id, trace.setSpan(ctx, span))),
 * so the consumer's `process` span is its child.
 */
export function startSendSpan(
  tracer: Tracer | undefined,
  topic: string,
  parent: Context,
  attributes: Record<string, string | number> = {},
): Span {
  return (tracer ?? trace.getTracer(TRACER_NAME)).startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation': 'publish',
        'messaging.destination.name': topic,
        ...attributes,
      },
    },
    parent,
  );
}
