import { createKafka } from '@thoughtspace/kafka';
import { describeError } from '@thoughtspace/runtime';
import { createLogger, runMain, setupTelemetry } from '@thoughtspace/service-kit';
import { loadConfig } from './config';
import { createWorkerPorts } from './ports';
import { createStageProcess, type StageProcess } from './worker';

const PROGRESS_INTERVAL_MS = 10_000;

/**
 * `node services/stage-worker/dist/main.js` with WORKER_STAGE=candidate-gen|tot-selector|scorer:
 * one chain stage as a Kafka consumer. SIGTERM/SIGINT: stop fetching, let the
 * in-flight chunk finish, produce its outputs and commit, then exit 0.
 */
export async function runStageWorker(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ worker: StageProcess; stop(): Promise<void> }> {
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel, namespace: config.stage });
  // Always registered (exporter `none` too): the W3C propagator and the
  // context manager carry each record's trace from its headers to the next.
  const telemetry = setupTelemetry({
    serviceName: `${config.stage}-worker`,
    exporter: config.tracesExporter,
    otlpEndpoint: config.otlpEndpoint,
  });
  const { ports, dispose } = await createWorkerPorts(config, env);
  const kafka = createKafka({ config: config.kafka, logger });
  const worker = createStageProcess({
    stage: config.stage,
    kafka,
    ports,
    groupId: config.group,
    modelVersion: config.modelVersion,
    concurrency: config.concurrency,
    sessionTimeoutMs: config.sessionTimeoutMs,
    logger,
  });
  await worker.start();
  logger.info('ready', { stage: config.stage, group: config.group, brokers: config.kafka.brokers });
  let last = worker.stats();
  const progress = setInterval(() => {
    const s = worker.stats();
    if (s.consumed === last.consumed) return;
    const rate = ((s.consumed - last.consumed) * 1000) / PROGRESS_INTERVAL_MS;
    logger.info('progress', { ...s, perSecond: Math.round(rate * 10) / 10 });
    last = s;
  }, PROGRESS_INTERVAL_MS);
  progress.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(progress);
      const timer = setTimeout(() => {
        logger.error('shutdown timed out', { timeoutMs: config.shutdownTimeoutMs });
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      await worker.stop();
      await dispose();
      await telemetry.shutdown();
      clearTimeout(timer);
      logger.info('stopped', { ...worker.stats() });
    })());
  return { worker, stop };
}

if (require.main === module) {
  void runMain('stage-worker', async () => {
    const { stop } = await runStageWorker();
    const onSignal = (signal: string): void => {
      process.stderr.write(`stage-worker: ${signal}, finishing in-flight records\n`);
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`stage-worker: shutdown failed: ${describeError(err)}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
}
