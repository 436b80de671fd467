import { kafkaConfigFromEnv, type KafkaConfig } from '@thoughtspace/kafka';
import { InvalidArgumentError } from '@thoughtspace/runtime';

export interface StreamingConfig {
  kafka: KafkaConfig;
  groupId: string;
  /** How long a dead evaluator holds its partitions before the group moves on. */
  sessionTimeoutMs: number;
  checkpointPath: string;
  checkpointIntervalMs: number;
  metricsIntervalMs: number;
  ttlMs: number;
  maxBuffered: number;
  window: number;
  seed: number;
  resamples: number;
  split: string;
  protocol: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return v;
}

/** The streaming evaluator's settings; every error names its variable. */
export function loadStreamingConfig(env: Env): StreamingConfig {
  const checkpointPath = env.EVALUATOR_CHECKPOINT?.trim();
  if (!checkpointPath) {
    throw new InvalidArgumentError(
      'EVALUATOR_CHECKPOINT is required: the file the join state and its offsets are checkpointed to',
    );
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').trim();
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new InvalidArgumentError(
      `LOG_LEVEL must be debug, info, warn, error or silent, got "${logLevel}"`,
    );
  }
  const split = (env.EVALUATOR_SPLIT ?? 'test').trim();
  if (split !== 'valid' && split !== 'test') {
    throw new InvalidArgumentError(`EVALUATOR_SPLIT must be valid or test, got "${split}"`);
  }
  return {
    kafka: kafkaConfigFromEnv(env, { clientId: 'thoughtspace-evaluator' }),
    groupId: env.EVALUATOR_GROUP_ID?.trim() || 'thoughtspace-evaluator',
    sessionTimeoutMs: intVar(env, 'EVALUATOR_SESSION_TIMEOUT_MS', 10_000, 1000),
    checkpointPath,
    checkpointIntervalMs: intVar(env, 'EVALUATOR_CHECKPOINT_INTERVAL_MS', 500, 10),
    metricsIntervalMs: intVar(env, 'EVALUATOR_METRICS_INTERVAL_MS', 2000, 10),
    ttlMs: intVar(env, 'EVALUATOR_JOIN_TTL_MS', 600_000, 1),
    maxBuffered: intVar(env, 'EVALUATOR_MAX_BUFFERED', 100_000, 1),
    window: intVar(env, 'EVALUATOR_WINDOW', 1000, 1),
    seed: intVar(env, 'EVALUATOR_BOOTSTRAP_SEED', 1, 0),
    resamples: intVar(env, 'EVALUATOR_RESAMPLES', 1000, 10),
    split,
    protocol: (env.EVALUATOR_PROTOCOL ?? '').trim(),
    logLevel: logLevel as StreamingConfig['logLevel'],
  };
}
