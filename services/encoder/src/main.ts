import {
  createLogger,
  setupTelemetry,
  shutdownOnSignals,
  startServer,
} from '@thoughtspace/service-kit';
import { loadConfig } from './config';
import { createEncoderDomain } from './domain/encoder';
import { createServer } from './server';
import { ThoughtSpaceModel } from './serving/thought-space-model';

/**
 * Start encoder: read config, load the model (refusing a directory that
 * does not match its manifest), bind, flip health to SERVING, and shut down
 * gracefully on SIGTERM/SIGINT.
 */
export async function runEncoder(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const config = loadConfig(env);
  const logger = createLogger({ namespace: 'encoder', level: config.logLevel });
  const telemetry = setupTelemetry({
    serviceName: 'encoder',
    exporter: config.tracesExporter,
    otlpEndpoint: config.otlpEndpoint,
  });
  const model = await ThoughtSpaceModel.load(config.modelDir, {
    threads: config.threads,
    executionProvider: config.executionProvider,
  });
  const domain = createEncoderDomain({
    model,
    limits: {
      maxTexts: config.maxTexts,
      maxTextChars: config.maxTextChars,
      maxHistory: config.maxHistory,
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
  logger.info('encoder ready', { address, model: domain.modelName, dim: model.dim });
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
  runEncoder().catch((err: unknown) => {
    process.stderr.write(`encoder: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
