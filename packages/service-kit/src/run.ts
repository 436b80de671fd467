import type { Server } from '@grpc/grpc-js';
import { Status, ThoughtspaceError } from '@thoughtspace/runtime';
import type { ConfigOf } from './config';
import type { Health } from './health';
import { createLogger, type LogFields, type Logger } from './logger';
import { createRpcMetrics, startMetricsServer, type RpcMetrics } from './prometheus';
import { setupTelemetry } from './sdk';
import { shutdownOnSignals, startServer } from './server';
import type { METRICS_CONFIG, SERVICE_CONFIG } from './service-config';

/** The variables every service reads (see SERVICE_CONFIG), and METRICS_PORT where declared. */
export type CommonServiceConfig = ConfigOf<typeof SERVICE_CONFIG> &
  Partial<ConfigOf<typeof METRICS_CONFIG>>;

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
  /** Port of /metrics, when served (metrics: true and METRICS_PORT set). */
  metricsPort?: number;
  stop(): Promise<void>;
}

/**
 * The main.ts life cycle shared by every service: logger and telemetry from
 * config, with `metrics` the RPC latency histograms (their interceptor goes
 * to build; /metrics is served on METRICS_PORT when set, before the models
 * load), build (load models; a directory that does not match its manifest
 * throws here, so the process refuses to start), bind, flip health to
 * SERVING, and on SIGTERM/SIGINT drain, stop, dispose and flush.
 */
export async function runService<M extends boolean = false>(o: {
  name: string;
  config: CommonServiceConfig;
  /** Record RPC latency histograms (the service declares METRICS_CONFIG). */
  metrics?: M;
  /** `rpc`: the histograms' registry and interceptor, when `metrics` is set. */
  build: (logger: Logger, rpc: M extends true ? RpcMetrics : undefined) => Promise<BuiltService>;
}): Promise<RunningService> {
  const { config } = o;
  const logger = createLogger({ namespace: o.name, level: config.logLevel });
  const telemetry = setupTelemetry({
    serviceName: o.name,
    exporter: config.tracesExporter,
    otlpEndpoint: config.otlpEndpoint,
  });
  const rpc = o.metrics ? createRpcMetrics({ service: o.name }) : undefined;
  let endpoint: { port: number; close(): Promise<void> } | undefined;
  let built: BuiltService;
  try {
    if (rpc && config.metricsPort !== undefined) {
      endpoint = await startMetricsServer({
        registry: rpc.registry,
        port: config.metricsPort,
        host: config.host,
      });
    }
    built = await o.build(logger, rpc as M extends true ? RpcMetrics : undefined);
  } catch (err) {
    await endpoint?.close();
    await telemetry.shutdown();
    throw err;
  }
  const { server, health } = built;
  const { port, address } = await startServer({
    server,
    host: config.host,
    port: config.port,
    reflection: config.reflection,
    logger,
  });
  health.setAllServing();
  const metrics = rpc ? { metrics: endpoint ? `:${endpoint.port}/metrics` : 'off' } : {};
  logger.info(`${o.name} ready`, { address, ...metrics, ...built.ready });
  const cleanup = async () => {
    await built.dispose();
    await endpoint?.close();
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
    metricsPort: endpoint?.port,
    stop: async () => {
      health.shutdown();
      health.endWatches();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await cleanup();
    },
  };
}

/**
 * Exit code of a service process that could not start, the same as the CLI's:
 * 2 invalid input (a bad environment variable), 3 not found / precondition (a
 * model directory that is missing or does not match its manifest), 1 anything else.
 */
export function startFailureExitCode(err: unknown): number {
  if (err instanceof ThoughtspaceError) {
    if (err.code === Status.INVALID_ARGUMENT) return 2;
    if (err.code === Status.NOT_FOUND || err.code === Status.FAILED_PRECONDITION) return 3;
  }
  return 1;
}

/**
 * `if (require.main === module) runMain('encoder', runEncoder)`: start, or
 * print one line naming the problem (no stack trace for a known error) and
 * exit with startFailureExitCode. `start` may throw synchronously (config is
 * read before the first await) or reject; both end the same way.
 */
export function runMain(name: string, start: () => Promise<unknown>): Promise<void> {
  return Promise.resolve()
    .then(start)
    .then(
      () => undefined,
      (err: unknown) => {
        const known = err instanceof ThoughtspaceError;
        const text =
          err instanceof Error ? (known ? err.message : (err.stack ?? err.message)) : String(err);
        process.stderr.write(`${name}: ${text}\n`);
        process.exit(startFailureExitCode(err));
      },
    );
}
