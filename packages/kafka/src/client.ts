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
   */
  idempotent?: boolean;
  retry?: RetryOptions;
}

/** A producer (acks=all) that partitions by record key (the user id) with Java-client-compatible hashing. */
export function createProducer(options: ProducerOptions): Producer {
  const idempotent = options.idempotent ?? false;
  return options.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent,
    maxInFlightRequests: idempotent ? 1 : undefined,
    allowAutoTopicCreation: false,
    retry: options.retry ?? { retries: 10, initialRetryTime: 100, maxRetryTime: 5000 },
  });
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
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    rebalanceTimeout: Math.max(options.sessionTimeoutMs ?? 10_000, 10_000),
    heartbeatInterval: options.heartbeatIntervalMs ?? 1000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1 << 20,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
    allowAutoTopicCreation: false,
    retry: options.retry ?? { retries: 10, initialRetryTime: 100, maxRetryTime: 5000 },
  });
}
