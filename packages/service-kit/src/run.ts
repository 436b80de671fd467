import type { Server } from '@grpc/grpc-js';
import type { ConfigOf } from './config';
import type { Health } from './health';
import { createLogger, type LogFields, type Logger } from './logger';
import { setupTelemetry } from './sdk';
import { shutdownOnSignals, startServer } from './server';
import type { SERVICE_CONFIG } from './service-config';

/** The variables every service reads (see SERVICE_CONFIG). */
export type CommonServiceConfig = ConfigOf<typeof SERVICE_CONFIG>;

/** What a service builds once its config is read: the server, its health and what to release. */
export interface BuiltService {
  server: Server;
  health: Health;
  /** Fields of the "ready" log line (model, dataset, sizes). */
  ready?: LogFields;
  /** Release models and providers after the server stopped. */
  dispose(): Promise<void>;
}

export interface RunningService {
  port: number;
  stop(): Promise<void>;
}

/**
 * The main.ts life cycle shared by every service: logger and telemetry from
 * config, build (load models; a directory that does not match its manifest
 * throws here, so the process refuses to start), bind, flip health to
 * SERVING, and on SIGTERM/SIGINT drain, stop, dispose and flush.
 */
export async function runService(o: {
  name: string;
  config: CommonServiceConfig;
  build: (logger: Logger) => Promise<BuiltService>;
}): Promise<RunningService> {
  const { config } = o;
  const logger = createLogger({ namespace: o.name, level: config.logLevel });
  const telemetry = setupTelemetry({
    serviceName: o.name,
    exporter: config.tracesExporter,
    otlpEndpoint: config.otlpEndpoint,
  });
  let built: BuiltService;
  try {
    built = await o.build(logger);
  } catch (err) {
    await telemetry.shutdown();
    throw err;
  }
  const { server, health } = built;
  const { port, address } = await startServer({
    server,
    host: config.host,
    port: config.port,
    logger,
  });
  health.setAllServing();
  logger.info(`${o.name} ready`, { address, ...built.ready });
  const cleanup = async () => {
    await built.dispose();
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

/** `if (require.main === module) runMain('encoder', runEncoder)`: start, or print the reason and exit 1. */
export function runMain(name: string, start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
