import { kafkaConfigFromEnv, type KafkaConfig } from '@thoughtspace/kafka';
import {
  enumVar,
  intVar,
  readConfig,
  SERVICE_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';
import { SEQUENCE_WINDOWS_CONFIG } from '@thoughtspace/candidate-gen';
import { STAGE_NAMES } from './stages';

const address = (name: string, service: string) =>
  stringVar({ name, optional: true, description: `host:port of ${service}` });

/** A stage worker's environment (KAFKA_* is read by @thoughtspace/kafka's kafkaConfigFromEnv). */
export const STAGE_WORKER_CONFIG = {
  logLevel: SERVICE_CONFIG.logLevel,
  tracesExporter: SERVICE_CONFIG.tracesExporter,
  otlpEndpoint: SERVICE_CONFIG.otlpEndpoint,
  stage: enumVar({
    name: 'WORKER_STAGE',
    values: STAGE_NAMES,
    description: 'the stage this process runs: candidate-gen, tot-selector or scorer',
  }),
  groupId: stringVar({
    name: 'WORKER_GROUP_ID',
    optional: true,
    description:
      'consumer group (default: the stage name); dead letters go to thoughtspace.dlq.<group>.v1',
  }),
  concurrency: intVar({
    name: 'WORKER_CONCURRENCY',
    default: 8,
    min: 1,
    max: 1024,
    description: 'records handled at once (records of one user key stay in order)',
  }),
  sessionTimeoutMs: intVar({
    name: 'WORKER_SESSION_TIMEOUT_MS',
    default: 10_000,
    min: 2000,
    max: 300_000,
    description: 'how long a dead worker holds its partitions before the group moves on',
  }),
  shutdownTimeoutMs: intVar({
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: 30_000,
    min: 0,
    max: 600_000,
    description: 'after SIGTERM, how long the in-flight chunk may take to finish and commit',
  }),
  modelDir: stringVar({
    name: 'MODEL_DIR',
    optional: true,
    description:
      'candidate-gen only: SASRec model directory, run in this process (else CANDIDATE_GEN_ADDR)',
  }),
  threads: intVar({
    name: 'MODEL_THREADS',
    default: 1,
    min: 1,
    max: 256,
    description: 'onnxruntime intra-op threads for an in-process model',
  }),
  ...SEQUENCE_WINDOWS_CONFIG,
  dataset: stringVar({
    name: 'DATASET',
    optional: true,
    description:
      'tot-selector and scorer: the dataset whose item text the stages read (a preset name or folder)',
  }),
  modelVersion: stringVar({
    name: 'MODEL_VERSION',
    optional: true,
    description:
      'scorer: the model version written into each prediction, so the streaming evaluator keeps live metrics per version (the chart sets it from the thoughtspace.io/model-version annotation)',
  }),
  candidateGenAddress: address('CANDIDATE_GEN_ADDR', 'candidate-gen'),
  rationaleGenAddress: address('RATIONALE_GEN_ADDR', 'rationale-gen'),
  totSelectorAddress: address('TOT_SELECTOR_ADDR', 'tot-selector'),
  scorerAddress: address('SCORER_ADDR', 'scorer'),
};

export type StageWorkerConfig = ConfigOf<typeof STAGE_WORKER_CONFIG> & {
  kafka: KafkaConfig;
  group: string;
};

/** The one place a stage worker reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StageWorkerConfig {
  const config = readConfig(STAGE_WORKER_CONFIG, env);
  return {
    ...config,
    kafka: kafkaConfigFromEnv(env, { clientId: `thoughtspace-${config.stage}` }),
    group: config.groupId?.trim() || config.stage,
  };
}
