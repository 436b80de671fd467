import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { UnavailableError } from './errors';
import type { Health } from './health';
import { addReflection } from './internal/reflection';
import { silentLogger, type Logger } from './logger';

export interface StartServerOptions {
  /** A server with its services added (a service's `createServer(deps)`). */
  server: Server;
  /** 0 picks a free port (tests). */
  port: number;
  /** Interface to bind (default 0.0.0.0; `[::]` for IPv6, 127.0.0.1 for loopback only). */
  host?: string;
  /**
   * Transport security; default insecure, because in the cluster TLS is
   * terminated by the service mesh (mTLS sidecar). To serve TLS directly pass
   * `ServerCredentials.createSsl(caCert, [{ private_key, cert_chain }], requireClientCert)`.
   */
  credentials?: ServerCredentials;
  /**
   * Add gRPC server reflection (grpc.reflection.v1 and v1alpha) describing the
   * services already added, so grpcurl, evans or Postman can discover the API
   * (default true; services turn it off with GRPC_REFLECTION=false).
   */
  reflection?: boolean;
  /** Where the .proto sources for reflection are (default: the repository's proto/). */
  protoDir?: string;
  logger?: Logger;
}

export interface StartedServer {
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  /** `host:port`, usable as a client target. */
  address: string;
}

/** Bind and start `server` (grpc-js starts serving once bound). */
export async function startServer(options: StartServerOptions): Promise<StartedServer> {
  const host = options.host ?? '0.0.0.0';
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const credentials = options.credentials ?? ServerCredentials.createInsecure();
  const logger = options.logger ?? silentLogger;
  if (options.reflection ?? true) {
    const services = addReflection(options.server, options.protoDir);
    logger.debug('reflection on', { services: services ?? 'all' });
  }
  const port = await new Promise<number>((resolve, reject) => {
    options.server.bindAsync(`${hostPart}:${options.port}`, credentials, (err, bound) => {
      if (err)
        reject(
          new UnavailableError(`cannot bind ${hostPart}:${options.port}: ${err.message}`, {
            cause: err,
          }),
        );
      else resolve(bound);
    });
  });
  const address = `${hostPart}:${port}`;
  logger.info('listening', { address });
  return { port, address };
}

/** Default wait between NOT_SERVING and refusing calls: a readiness probe period (Kubernetes' default periodSeconds is 10; charts use 5). */
export const DEFAULT_DRAIN_DELAY_MS = 5_000;
/** Default time accepted calls get to finish before the rest are cancelled. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface ShutdownOptions {
  /**
   * How long accepted calls may run, after the drain delay, before they are
   * cancelled (default 10000 ms).
   */
  timeoutMs?: number;
  /**
   * Flipped to NOT_SERVING first, so load balancers and probes stop sending
   * new calls while in-flight ones finish; its Watch streams are ended before
   * the server stops, so a watching probe cannot hold the shutdown open.
   */
  health?: Health;
  /**
   * Wait between the health flip and refusing new calls, long enough for a
   * readiness probe to see NOT_SERVING and endpoints to update (default 5000
   * ms). Calls arriving meanwhile are still served.
   */
  drainDelayMs?: number;
  logger?: Logger;
}

/** `graceful` when every in-flight call finished in time, `forced` when the rest were cancelled. */
export type ShutdownResult = 'graceful' | 'forced';

/**
 * The shutdown order that loses no accepted call:
 * 1. health NOT_SERVING (probes and balancers stop routing here);
 * 2. wait `drainDelayMs` while still serving whatever arrives;
 * 3. end health Watch streams, then `tryShutdown`: no new calls (GOAWAY, so
 *    clients retry elsewhere) while every accepted call runs to completion;
 * 4. after `timeoutMs`, `forceShutdown` cancels what is still running.
 */
export async function gracefulShutdown(
  server: Server,
  options: ShutdownOptions = {},
): Promise<ShutdownResult> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const drainDelayMs = options.drainDelayMs ?? DEFAULT_DRAIN_DELAY_MS;
  options.health?.shutdown();
  logger.info('health NOT_SERVING; draining', { drainDelayMs });
  if (drainDelayMs > 0) await new Promise((r) => setTimeout(r, drainDelayMs));
  options.health?.endWatches();
  logger.info('refusing new calls; waiting for accepted calls', { timeoutMs });
  return new Promise<ShutdownResult>((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      logger.warn('shutdown timed out; cancelling in-flight calls', { timeoutMs });
      server.forceShutdown();
      resolve('forced');
    }, timeoutMs);
    server.tryShutdown((err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        logger.warn('graceful shutdown failed; forcing', { err });
        server.forceShutdown();
        resolve('forced');
        return;
      }
      logger.info('shut down');
      resolve('graceful');
    });
  });
}

export interface SignalOptions extends ShutdownOptions {
  server: Server;
  /** Default SIGTERM (Kubernetes) and SIGINT (Ctrl-C). */
  signals?: NodeJS.Signals[];
  /** Runs after the server stopped: flush telemetry, close producers. */
  onShutdown?: () => Promise<void> | void;
  /** Process exit, injectable for tests (default process.exit). */
  exit?: (code: number) => void;
}

/**
 * main.ts wiring: on the first signal shut down gracefully, run `onShutdown`
 * and exit 0 (1 if anything failed); a second signal exits at once.
 * Returns a function that removes the handlers.
 */
export function shutdownOnSignals(options: SignalOptions): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const logger = options.logger ?? silentLogger;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal; exiting now', { signal });
      exit(1);
      return;
    }
    stopping = true;
    logger.info('signal received', { signal });
    gracefulShutdown(options.server, options)
      .then(() => options.onShutdown?.())
      .then(
        () => exit(0),
        (err: unknown) => {
          logger.error('shutdown failed', { err });
          exit(1);
        },
      );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
