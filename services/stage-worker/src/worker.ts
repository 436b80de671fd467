import {
  createConsumer,
  createProducer,
  createStageWorker,
  silentKafkaLogger,
  type KafkaLogger,
  type StageStats,
} from '@thoughtspace/kafka';
import { kafkaStageHandlers, type PipelinePorts } from '@thoughtspace/pipeline';
import type { Kafka } from 'kafkajs';
import type { Tracer } from '@opentelemetry/api';
import { STAGES, type StageName } from './stages';

export interface StageProcessOptions {
  stage: StageName;
  kafka: Kafka;
  /** The ports the stage's handler calls (in-process domain code or gRPC clients). */
  ports: PipelinePorts;
  /** Consumer group (default: the stage name). */
  groupId?: string;
  /** The model version the stage serves, written into the scorer's predictions. */
  modelVersion?: string;
  concurrency?: number;
  sessionTimeoutMs?: number;
  logger?: KafkaLogger;
  tracer?: Tracer;
}

export interface StageProcess {
  readonly stage: StageName;
  readonly groupId: string;
  start(): Promise<void>;
  /** Stop consuming, let the in-flight chunk finish, produce and commit, then disconnect. */
  stop(): Promise<void>;
  stats(): StageStats;
}

/**
 * One chain stage as a Kafka consumer: the stage's input topic -> the
 * pipeline's Kafka stage handler over `ports` -> the next topic, on
 * @thoughtspace/kafka's stage worker (commit after produce, dead letters,
 * back-pressure, a `process <topic>` span per record).
 */
export function createStageProcess(options: StageProcessOptions): StageProcess {
  const spec = STAGES[options.stage];
  const groupId = options.groupId ?? options.stage;
  const handlers = kafkaStageHandlers({
    ports: options.ports,
    modelVersion: options.modelVersion,
  });
  const worker = createStageWorker({
    name: options.stage,
    consumer: createConsumer({
      kafka: options.kafka,
      groupId,
      sessionTimeoutMs: options.sessionTimeoutMs,
    }),
    producer: createProducer({ kafka: options.kafka }),
    groupId,
    input: spec.input,
    output: spec.output,
    handle: (event) => spec.handle(handlers, event),
    concurrency: options.concurrency,
    logger: options.logger ?? silentKafkaLogger,
    tracer: options.tracer,
  });
  return {
    stage: options.stage,
    groupId,
    start: () => worker.start(),
    stop: () => worker.stop(),
    stats: () => worker.stats(),
  };
}
