export { TOPICS, EVENT_TYPES, SCHEMA_VERSION, CONTENT_TYPE, deadLetterTopic } from './topics';
export type { TopicName, EventType } from './topics';
export {
  recRequestCodec,
  candidatesCodec,
  selectionCodec,
  predictionCodec,
  interactionCodec,
  metricsCodec,
} from './codec';
export type { EventCodec } from './codec';
export { HEADERS, eventHeaders, readHeaders, headerString } from './headers';
export type { RecordMeta } from './headers';
export { InvalidEventError, KafkaConfigError, isRetriable } from './errors';
export { kafkaConfigFromEnv } from './config';
export type { KafkaConfig } from './config';
export { silentKafkaLogger, kafkajsLogCreator } from './logger';
export type { KafkaLogger } from './logger';
export { createKafka, createProducer, createConsumer } from './client';
export type { KafkaClientOptions, ProducerOptions, ConsumerOptions } from './client';
export { deadLetterRecord } from './dead-letter';
export type { DeadLetterSource } from './dead-letter';
export { createIdempotenceStore } from './idempotence';
export type { IdempotenceStore, IdempotenceStoreOptions } from './idempotence';
export { createStageWorker, TRACER_NAME } from './worker';
export type { StageWorker, StageWorkerOptions, StageContext, StageStats } from './worker';
export { startProcessSpan, startSendSpan } from './tracing';
export type { ConsumedRecord } from './tracing';
export { withBackoff } from './retry';
export type { BackoffOptions } from './retry';
