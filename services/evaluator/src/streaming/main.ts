import { createConsumer, createKafka, createProducer } from '@thoughtspace/kafka';
import { describeError } from '@thoughtspace/runtime';
import { createLogger } from '@thoughtspace/service-kit';
import { loadStreamingConfig } from './config';
import { createStreamingEvaluator } from './evaluator';

/** `node services/evaluator/dist/streaming/main.js`: the streaming evaluator as its own process. */
export async function runStreamingEvaluator(
  env: Record<string, string | undefined>,
): Promise<void> {
  const config = loadStreamingConfig(env);
  const logger = createLogger({ level: config.logLevel, namespace: 'evaluator' });
  const kafka = createKafka({ config: config.kafka, logger });
  const evaluator = createStreamingEvaluator({
    consumer: createConsumer({
      kafka,
      groupId: config.groupId,
      sessionTimeoutMs: config.sessionTimeoutMs,
    }),
    producer: createProducer({ kafka }),
    groupId: config.groupId,
    checkpointPath: config.checkpointPath,
    checkpointIntervalMs: config.checkpointIntervalMs,
    metricsIntervalMs: config.metricsIntervalMs,
    join: { ttlMs: config.ttlMs, maxBuffered: config.maxBuffered, window: config.window },
    bootstrap: { seed: config.seed, resamples: config.resamples },
    split: config.split,
    protocol: config.protocol,
    logger,
  });
  await evaluator.start();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    evaluator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: describeError(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  runStreamingEvaluator(process.env).catch((err: unknown) => {
    process.stderr.write(`evaluator: ${describeError(err)}\n`);
    process.exit(1);
  });
}
