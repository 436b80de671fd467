import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import type { KafkaConfig } from './config';
import { kafkajsLogCreator, silentKafkaLogger, type KafkaLogger } from './logger';
import { withBackoff } from './retry';

export interface KafkaClientOptions {
  config: KafkaConfig;
  logger?: KafkaLogger;
  /** kafkajs's own log level (default WARN: its INFO lines are per-connection noise). */
  kafkajsLogLevel?: logLevel;
  /** Connection retries (kafkajs defaults otherwise). */
  retry?: RetryOptions;
}

/** One kafkajs client per process; producers and consumers come from it. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const { config } = options;
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    sasl: config.sasl,
    logLevel: options.kafkajsLogLevel ?? logLevel.WARN,
    logCreator: kafkajsLogCreator(options.logger ?? silentKafkaLogger),
    retry: options.retry,
  });
}

export interface ProducerOptions {
  kafka: Kafka;
  /**
   * kafkajs's idempotent producer (default false). Redeliveries are harmless
   * anyway (consumers de-duplicate by request id), and librdkafka 2.0's mock
   * cluster answers Metadata with a controller id kafkajs cannot find, so the
   * idempotent path (InitProducerId via the controller) cannot be tested here.
   * kafkajs insists on its own send retry for it, so the leader-move fix
   * below does not apply to an idempotent producer.
   */
  idempotent?: boolean;
  /** Retries of a failed send (default 10, from 100 ms doubling up to 5 s). */
  retry?: RetryOptions;
}

/** Retry schedule of producers' sends and consumers' requests unless the caller gives one. */
const DEFAULT_RETRY: RetryOptions = { retries: 10, initialRetryTime: 100, maxRetryTime: 5000 };

/**
 * A producer (acks=all) that partitions by record key (the user id) with
 * Java-client-compatible hashing.
 *
 * kafkajs 2.2.4 loses records when a partition leader moves: its send retry
 * keeps, across attempts, the answer of every broker that acknowledged its
 * part, and re-sends only to brokers without one. When a failed partition's
 * new leader is a broker that already answered (NOT_LEADER_FOR_PARTITION
 * from the old leader, metadata refreshed, the leader moved to a sibling),
 * that partition's records are never sent again and send() resolves as if
 * they were (tulios/kafkajs#1303; fix proposed in #1798, unreleased). So
 * kafkajs's own send retry is off here and each retry is a fresh
 * send()/sendBatch() of every record of the call: partitions that were
 * acknowledged on the failed attempt are written twice, which consumers
 * already tolerate (de-duplication by request id), instead of never.
 * tests/kafka/producer-leader-move.test.ts.
 */
export function createProducer(options: ProducerOptions): Producer {
  const idempotent = options.idempotent ?? false;
  const retry = options.retry ?? DEFAULT_RETRY;
  const producer = options.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent,
    maxInFlightRequests: idempotent ? 1 : undefined,
    allowAutoTopicCreation: false,
    // kafkajs requires its own retry for the idempotent producer.
    retry: idempotent ? retry : { ...retry, retries: 0 },
  });
  if (idempotent) return producer;
  const again =
    <A extends unknown[], R>(send: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      withBackoff(() => send(...args), {
        attempts: (retry.retries ?? 10) + 1,
        initialMs: retry.initialRetryTime ?? 100,
        maxMs: retry.maxRetryTime ?? 5000,
        // What kafkajs would have retried: with retries 0 it gives up on a
        // retriable error with KafkaJSNumberOfRetriesExceeded; anything else
        // (non-retriable, producer disconnected) is thrown at once.
        retriable: (err) => (err as Error | undefined)?.name === 'KafkaJSNumberOfRetriesExceeded',
      });
  return { ...producer, send: again(producer.send), sendBatch: again(producer.sendBatch) };
}

export interface ConsumerOptions {
  kafka: Kafka;
  groupId: string;
  /** Session timeout: how long a dead member holds its partitions (default 10 s). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Upper bound of one fetch per partition: what a paused consumer can have in memory. */
  maxBytesPerPartition?: number;
  /**
   * Longest fetch long-poll (default 1000 ms). kafkajs heartbeats between
   * fetches, so this must stay well below the session timeout or an idle
   * partition gets the member evicted.
   */
  maxWaitTimeMs?: number;
  retry?: RetryOptions;
}

export function createConsumer(options: ConsumerOptions): Consumer {
  const session = options.sessionTimeoutMs ?? 10_000;
  const wait = options.maxWaitTimeMs ?? 1000;
  if (wait * 2 > session) {
    throw new RangeError(
      `maxWaitTimeMs (${wait}) must be at most half of sessionTimeoutMs (${session})`,
    );
  }
  return options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: session,
    rebalanceTimeout: Math.max(session, 10_000),
    heartbeatInterval: options.heartbeatIntervalMs ?? 1000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1 << 20,
    maxWaitTimeInMs: wait,
    allowAutoTopicCreation: false,
    retry: options.retry ?? DEFAULT_RETRY,
  });
}
