import { EventEmitter } from 'node:events';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthServer,
} from '@thoughtspace/proto';
import { NotFoundError } from '@thoughtspace/runtime';
import { serverStream, unary, type RpcOptions } from './handlers';

export { ServingStatus };

/** The name under which the server as a whole reports (the protocol's empty service name). */
export const OVERALL = '';

export interface HealthOptions extends RpcOptions {
  /**
   * Services known from the start, with their initial status (default
   * NOT_SERVING: main.ts flips them to SERVING once models are loaded and the
   * port is bound). The overall status `''` is always known.
   */
  services?: Record<string, ServingStatus>;
}

export interface Health {
  /** Add to a server: `server.addService(HealthService, health.implementation)`. */
  readonly implementation: HealthServer;
  /** Set one service's status (`''` = the whole server); Watch callers see the change. */
  setStatus(service: string, status: ServingStatus): void;
  /** Current status; undefined for an unknown service. */
  getStatus(service: string): ServingStatus | undefined;
  /** Every known service SERVING (after start-up). */
  setAllServing(): void;
  /**
   * Every service NOT_SERVING and later changes ignored: call first on
   * SIGTERM so load balancers drain before the server stops accepting calls.
   */
  shutdown(): void;
}

/** grpc.health.v1 (Check + Watch) with per-service status that main.ts flips. */
export function createHealth(options: HealthOptions = {}): Health {
  const statuses = new Map<string, ServingStatus>([[OVERALL, ServingStatus.NOT_SERVING]]);
  for (const [name, status] of Object.entries(options.services ?? {})) statuses.set(name, status);
  const changes = new EventEmitter();
  // One listener per open Watch; many probes may watch at once.
  changes.setMaxListeners(0);
  let shuttingDown = false;

  const set = (service: string, status: ServingStatus) => {
    if (statuses.get(service) === status) return;
    statuses.set(service, status);
    changes.emit('change', service, status);
  };

  const check = unary<HealthCheckRequest, HealthCheckResponse>((req) => {
    const status = statuses.get(req.service);
    if (status === undefined)
      throw new NotFoundError(`unknown service ${JSON.stringify(req.service)}`);
    return { status };
  }, options);

  const watch = serverStream<HealthCheckRequest, HealthCheckResponse>(async (req, send, ctx) => {
    // Watch never ends on its own: it streams the current status, then each
    // change, until the client cancels (which aborts ctx.signal).
    const queue: ServingStatus[] = [statuses.get(req.service) ?? ServingStatus.SERVICE_UNKNOWN];
    let wake: (() => void) | undefined;
    const onChange = (service: string, status: ServingStatus) => {
      if (service !== req.service) return;
      queue.push(status);
      wake?.();
    };
    changes.on('change', onChange);
    try {
      while (!ctx.signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          await send({ status: next });
          continue;
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            ctx.signal.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          wake = done;
          ctx.signal.addEventListener('abort', done);
        });
      }
    } finally {
      changes.off('change', onChange);
    }
  }, options);

  return {
    implementation: { check, watch },
    setStatus(service, status) {
      if (!shuttingDown) set(service, status);
    },
    getStatus: (service) => statuses.get(service),
    setAllServing() {
      if (shuttingDown) return;
      for (const name of statuses.keys()) set(name, ServingStatus.SERVING);
    },
    shutdown() {
      shuttingDown = true;
      for (const name of statuses.keys()) set(name, ServingStatus.NOT_SERVING);
    },
  };
}
