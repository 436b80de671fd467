import type {
  Server,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthServer,
} from '@thoughtspace/proto';
import {
  HealthImplementation,
  service as officialHealthService,
  type ServingStatus as OfficialStatus,
} from 'grpc-health-check';
import type { RpcOptions } from './handlers';

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
  /** Add grpc.health.v1 (Check, Watch, List) to a server, with grpc-health-check's own definition. */
  addToServer(server: Server): void;
  /**
   * The same handlers for `server.addService(HealthService, health.implementation)`
   * with the generated definition (kept so server.ts files written that way work).
   */
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
  /**
   * End every open Watch stream with OK. A Watch never ends on its own, so
   * without this a watching probe holds `server.tryShutdown` open until the
   * hard timeout cancels every call still running.
   */
  endWatches(): void;
  /** Open Watch streams (for logs and tests). */
  readonly openWatches: number;
}

const TO_OFFICIAL: Record<number, OfficialStatus | 'SERVICE_UNKNOWN'> = {
  [ServingStatus.UNKNOWN]: 'UNKNOWN',
  [ServingStatus.SERVING]: 'SERVING',
  [ServingStatus.NOT_SERVING]: 'NOT_SERVING',
  [ServingStatus.SERVICE_UNKNOWN]: 'SERVICE_UNKNOWN',
};
const FROM_OFFICIAL: Record<string, ServingStatus> = {
  UNKNOWN: ServingStatus.UNKNOWN,
  SERVING: ServingStatus.SERVING,
  NOT_SERVING: ServingStatus.NOT_SERVING,
  SERVICE_UNKNOWN: ServingStatus.SERVICE_UNKNOWN,
};
const toGenerated = (m: { status: string }): HealthCheckResponse => ({
  status: FROM_OFFICIAL[m.status] ?? ServingStatus.UNKNOWN,
});

type Call = ServerWritableStream<HealthCheckRequest, unknown>;

/**
 * grpc.health.v1 from grpc-node's `grpc-health-check` (Check, Watch, List),
 * with the per-service status main.ts flips and a shutdown that pins
 * NOT_SERVING and then ends open Watch streams.
 */
export function createHealth(options: HealthOptions = {}): Health {
  const statuses = new Map<string, ServingStatus>([[OVERALL, ServingStatus.NOT_SERVING]]);
  for (const [name, status] of Object.entries(options.services ?? {})) statuses.set(name, status);
  const official = new HealthImplementation(
    Object.fromEntries([...statuses].map(([n, s]) => [n, TO_OFFICIAL[s] as OfficialStatus])),
  );
  // Capture the official handlers so they can be registered under either
  // definition and so open Watch calls can be ended at shutdown.
  let handlers: UntypedServiceImplementation = {};
  official.addToServer({ addService: (_definition, impl) => (handlers = impl) });
  const watches = new Set<Call>();
  let shuttingDown = false;
  const logger = options.logger;

  const track = (call: Call) => {
    watches.add(call);
    const drop = () => watches.delete(call);
    call.on('cancelled', drop);
    call.on('finish', drop);
    call.on('error', drop);
  };
  const officialWatch = handlers.watch as (call: unknown) => void;
  const officialCheck = handlers.check as (call: unknown, cb: sendUnaryData<unknown>) => void;

  const set = (service: string, status: ServingStatus) => {
    if (statuses.get(service) === status) return;
    statuses.set(service, status);
    official.setStatus(service, TO_OFFICIAL[status] as OfficialStatus);
  };

  const generated: HealthServer = {
    check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback) =>
      officialCheck(call, (err, res) =>
        err ? callback(err, null) : callback(null, toGenerated(res as { status: string })),
      ),
    watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      track(call as Call);
      // The official handler writes `{ status: 'SERVING' }`; the generated
      // definition encodes the numeric enum.
      officialWatch({
        request: call.request,
        write: (m: { status: string }) => call.write(toGenerated(m)),
        on: (event: string, fn: () => void) => call.on(event, fn),
      });
    },
  };

  return {
    addToServer(server) {
      server.addService(officialHealthService as never, {
        ...handlers,
        watch: (call: Call) => {
          track(call);
          officialWatch(call);
        },
      });
    },
    implementation: generated,
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
    endWatches() {
      if (watches.size > 0) logger?.info('ending health Watch streams', { open: watches.size });
      for (const call of watches) call.end();
      watches.clear();
    },
    get openWatches() {
      return watches.size;
    },
  };
}
