import { createConsumer, createKafka, createProducer, type KafkaLogger } from '@thoughtspace/kafka';
import { describeError } from '@thoughtspace/runtime';
import { createLogger, runMain } from '@thoughtspace/service-kit';
import { runEvaluator } from '../main';
import { loadStreamingConfig, type StreamingConfig } from './config';
import { createStreamingEvaluator, type StreamingSnapshot } from './evaluator';
import { registerStreamingMetrics } from './prometheus';

function build(
  config: StreamingConfig,
  logger: KafkaLogger,
  onReport?: (s: StreamingSnapshot) => void,
) {
  const kafka = createKafka({ config: config.kafka, logger });
  return createStreamingEvaluator({
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
    onReport,
  });
}

/**
 * `node services/evaluator/dist/streaming/main.js`: the streaming evaluator as
 * its own process. With GRPC_PORT set it also serves the evaluator's gRPC API
 * (GetMetrics answers from the streaming state, EvaluateSplit as usual) and,
 * with METRICS_PORT, Prometheus `/metrics` with the stream's gauges; SIGTERM
 * then drains the server and stops the stream with a last checkpoint.
 */
export async function runStreamingEvaluator(
  env: Record<string, string | undefined>,
): Promise<void> {
  const config = loadStreamingConfig(env);
  if (env.GRPC_PORT?.trim()) {
    await runEvaluator(env as NodeJS.ProcessEnv, {
      companion: async ({ store, registry, logger }) => {
        const evaluator = build(config, logger, (s) => {
          const entry = {
            method: s.method,
            provider: s.provider,
            split: config.split,
            protocol: config.protocol,
            datasetManifestHash: s.datasetManifestHash,
          };
          if (s.cumulative) store.put({ ...entry, report: s.cumulative, window: 'cumulative' });
          // Per model version, both windows: the agent judges a rollout on them.
          for (const [modelVersion, r] of Object.entries(s.versions ?? {})) {
            if (r.cumulative)
              store.put({ ...entry, modelVersion, window: 'cumulative', report: r.cumulative });
            if (r.window)
              store.put({
                ...entry,
                modelVersion,
                window: `last:${s.windowSize}`,
                report: r.window,
              });
          }
        });
        registerStreamingMetrics(registry, () => evaluator.snapshot());
        await evaluator.start();
        return {
          ready: { streaming: config.groupId },
          dispose: () => evaluator.stop(),
        };
      },
    });
    return;
  }
  const logger = createLogger({ level: config.logLevel, namespace: 'evaluator' });
  const evaluator = build(config, logger);
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
  void runMain('evaluator', () => runStreamingEvaluator(process.env));
}
