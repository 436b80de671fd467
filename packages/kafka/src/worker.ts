import {
  SpanStatusCode,
  context as otelContext,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, KafkaMessage, Message, Producer } from 'kafkajs';
import { describeError } from '@thoughtspace/runtime';
import type { EventCodec } from './codec';
import { deadLetterRecord } from './dead-letter';
import { InvalidEventError, isRetriable } from './errors';
import { eventHeaders, readHeaders, type RecordMeta } from './headers';
import type { IdempotenceStore } from './idempotence';
import { mapLimit, withBackoff, type BackoffOptions } from './retry';
import { silentKafkaLogger, type KafkaLogger } from './logger';
import { deadLetterTopic } from './topics';

import { startProcessSpan, startSendSpan, TRACER_NAME } from './tracing';

export { TRACER_NAME };

export interface StageContext {
  topic: string;
  partition: number;
  offset: string;
  meta: RecordMeta;
}

export interface StageWorkerOptions<I, O> {
  /** Stage name for logs and spans, e.g. "candidate-gen". */
  name: string;
  consumer: Consumer;
  producer: Producer;
  groupId: string;
  input: { topic: string; codec: EventCodec<I> };
  output: { topic: string; codec: EventCodec<O> };
  /**
   * The stage's domain work. Throw InvalidEventError (or any non-retriable
   * error) to dead-letter the record; a retriable error is retried with
   * backoff. Return undefined to produce nothing.
   */
  handle(event: I, ctx: StageContext): Promise<O | undefined>;
  /** Records handled at once (default 8). */
  concurrency?: number;
  /** Defaults to deadLetterTopic(groupId). */
  deadLetterTopic?: string;
  /** Skip request ids whose output this process already produced. */
  idempotence?: IdempotenceStore;
  retry?: BackoffOptions;
  logger?: KafkaLogger;
  tracer?: Tracer;
}

export interface StageStats {
  consumed: number;
  produced: number;
  deadLettered: number;
  skippedDuplicates: number;
  retries: number;
  /** Times a partition was paused because the downstream (producer) failed. */
  pauses: number;
}

export interface StageWorker {
  /** Subscribe and run; resolves once the consumer loop is started. */
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): StageStats;
}

type Outcome =
  | { kind: 'out'; record: Message; requestId: string; send: Span }
  | { kind: 'dlq'; record: Message }
  | { kind: 'skip' };

/**
 * The stage-worker loop: consume `input.topic` -> handle -> produce to
 * `output.topic`, committing a partition's offset only after the outputs of
 * every record up to it are acknowledged by the broker. Records of one batch
 * run `concurrency` at a time; while a batch is being handled no further
 * fetch for that partition is buffered, and while the producer cannot deliver
 * the partition is paused (so a slow or absent downstream is back-pressure,
 * not an unbounded queue). Bad records go to the dead-letter topic with the
 * reason; the partition moves on.
 */
export function createStageWorker<I, O>(options: StageWorkerOptions<I, O>): StageWorker {
  const log = (options.logger ?? silentKafkaLogger).namespace(`stage:${options.name}`);
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const dlqTopic = options.deadLetterTopic ?? deadLetterTopic(options.groupId);
  const stats: StageStats = {
    consumed: 0,
    produced: 0,
    deadLettered: 0,
    skippedDuplicates: 0,
    retries: 0,
    pauses: 0,
  };
  const { consumer, producer } = options;

  async function handleOne(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<Outcome> {
    const meta = readHeaders(message.headers);
    const span = startProcessSpan(
      tracer,
      { topic, partition, offset: message.offset, groupId: options.groupId },
      meta.context,
    );
    const ctx = trace.setSpan(meta.context, span);
    const dlq = (reason: string): Outcome => {
      log.warn('dead-lettered', { topic, partition, offset: message.offset, reason });
      span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      return {
        kind: 'dlq',
        record: deadLetterRecord({ topic, partition, message, groupId: options.groupId }, reason),
      };
    };
    try {
      if (meta.eventType !== undefined && meta.eventType !== options.input.codec.type) {
        return dlq(`event-type header is ${meta.eventType}, expected ${options.input.codec.type}`);
      }
      let event: I;
      try {
        event = options.input.codec.decode(message.value);
      } catch (err) {
        return dlq(describeError(err));
      }
      const requestId = options.input.codec.header(event as never).requestId;
      span.setAttribute('thoughtspace.request_id', requestId);
      if (options.idempotence?.has(requestId)) {
        stats.skippedDuplicates++;
        return { kind: 'skip' };
      }
      let out: O | undefined;
      try {
        out = await withBackoff(
          () =>
            otelContext.with(ctx, () =>
              options.handle(event, { topic, partition, offset: message.offset, meta }),
            ),
          {
            ...options.retry,
            onRetry: (err, attempt, waitMs) => {
              stats.retries++;
              log.warn('retrying handler', {
                requestId,
                attempt,
                waitMs,
                error: describeError(err),
              });
            },
          },
        );
      } catch (err) {
        if (isRetriable(err)) throw err;
        return dlq(`${err instanceof InvalidEventError ? '' : 'handler: '}${describeError(err)}`);
      }
      if (out === undefined) return { kind: 'skip' };
      // Ended once the broker acknowledged the batch it went out in.
      const send = startSendSpan(tracer, options.output.topic, ctx, {
        'thoughtspace.request_id': requestId,
      });
      return {
        kind: 'out',
        requestId,
        send,
        record: {
          key: message.key,
          value: options.output.codec.encode(out),
          headers: eventHeaders(options.output.codec.type, requestId, trace.setSpan(ctx, send)),
        },
      };
    } finally {
      span.end();
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const chunkSize = concurrency * 4;
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(start, start + chunkSize);
      // Records of one user stay in order: the chunk runs as per-key chains.
      const chains = new Map<string, KafkaMessage[]>();
      for (const m of chunk) {
        const k = m.key?.toString() ?? `#${m.offset}`;
        (chains.get(k) ?? chains.set(k, []).get(k)!).push(m);
      }
      const outcomes = new Map<KafkaMessage, Outcome>();
      await mapLimit([...chains.values()], concurrency, async (chain) => {
        for (const m of chain) outcomes.set(m, await handleOne(batch.topic, batch.partition, m));
      });
      stats.consumed += chunk.length;
      const outs = chunk.map((m) => outcomes.get(m)!);
      const produced = outs.filter((o) => o.kind === 'out').map((o) => o.record);
      const dead = outs.filter((o) => o.kind === 'dlq').map((o) => o.record);
      const topicMessages = [
        ...(produced.length ? [{ topic: options.output.topic, messages: produced }] : []),
        ...(dead.length ? [{ topic: dlqTopic, messages: dead }] : []),
      ];
      if (topicMessages.length) {
        let resume: (() => void) | undefined;
        await withBackoff(() => producer.sendBatch({ topicMessages }), {
          ...options.retry,
          retriable: () => true,
          onRetry: async (err, attempt, waitMs) => {
            if (!resume) {
              resume = payload.pause();
              stats.pauses++;
            }
            stats.retries++;
            log.warn('downstream unavailable, partition paused', {
              topic: batch.topic,
              partition: batch.partition,
              attempt,
              waitMs,
              error: describeError(err),
            });
            await payload.heartbeat().catch(() => undefined);
          },
        });
        resume?.();
      }
      for (const o of outs) if (o.kind === 'out') o.send.end();
      stats.produced += produced.length;
      stats.deadLettered += dead.length;
      for (const o of outs) if (o.kind === 'out') options.idempotence?.add(o.requestId);
      const last = chunk[chunk.length - 1].offset;
      payload.resolveOffset(last);
      // Through the batch (no retry loop): a rebalance error leaves eachBatch
      // at once so the member can rejoin; the uncommitted records are
      // redelivered and de-duplicated downstream by request id.
      await payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
          },
        ],
      });
      await payload.heartbeat();
    }
  }

  return {
    async start() {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [options.input.topic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
      log.info('started', {
        input: options.input.topic,
        output: options.output.topic,
        concurrency,
      });
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      log.info('stopped', { ...stats });
    },
    stats: () => ({ ...stats }),
  };
}
