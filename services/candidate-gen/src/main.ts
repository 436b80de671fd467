import {
  createLogger,
  setupTelemetry,
  shutdownOnSignals,
  startServer,
} from '@thoughtspace/service-kit';
import { loadConfig } from './config';
import { createCandidateDomain } from './domain/candidates';
import { createServer } from './server';
import { SasrecModel } from './serving/sasrec-model';

/**
 * Start candidate-gen: read config, load the model (refusing a directory that
 * does not match its manifest), bind, flip health to SERVING, and shut down
 * gracefully on SIGTERM/SIGINT.
 */
export async function runCandidateGen(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const config = loadConfig(env);
  const logger = createLogger({ namespace: 'candidate-gen', level: config.logLevel });
  const telemetry = setupTelemetry({
    serviceName: 'candidate-gen',
    exporter: config.tracesExporter,
    otlpEndpoint: config.otlpEndpoint,
  });
  const model = await SasrecModel.load(config.modelDir, {
    threads: config.threads,
    executionProvider: config.executionProvider,
  });
  const domain = createCandidateDomain({
    model,
    limits: {
      maxK: config.maxK,
      maxHistory: config.maxHistory,
      maxCandidates: config.maxCandidates,
    },
  });
  const { server, health } = createServer({ domain, logger });
  const { port, address } = await startServer({
    server,
    host: config.host,
    port: config.port,
    logger,
  });
  health.setAllServing();
  logger.info('candidate-gen ready', { address, model: domain.modelName, items: model.numItems });
  const cleanup = async () => {
    await model.dispose();
    await telemetry.shutdown();
  };
  shutdownOnSignals({
    server,
    health,
    timeoutMs: config.shutdownTimeoutMs,
    drainDelayMs: config.drainDelayMs,
    logger,
    onShutdown: cleanup,
  });
  return {
    port,
    stop: async () => {
      health.shutdown();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await cleanup();
    },
  };
}

if (require.main === module) {
  runCandidateGen().catch((err: unknown) => {
    process.stderr.write(`candidate-gen: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
