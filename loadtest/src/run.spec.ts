import {
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus,
  HealthClient,
  HealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from '@thoughtspace/proto';
import { runClosedLoop, runOpenLoop } from './run';
import { unary } from './scenarios';

/**
 * A real grpc-js server whose Check answers at once, except that it stalls
 * every call for `stallMs` once, `stallAfterMs` after its first call (a GC
 * pause, a noisy neighbour), and answers NOT_FOUND for services named "missing".
 */
async function stallingServer(o: { stallAfterMs: number; stallMs: number; delayMs?: number }) {
  let first = 0;
  let stallUntil = 0;
  const server = new Server();
  server.addService(HealthService, {
    check(
      call: { request: HealthCheckRequest },
      cb: (err: Partial<ServiceError> | null, res?: HealthCheckResponse) => void,
    ) {
      const t = Date.now();
      if (!first) {
        first = t;
        stallUntil = t + o.stallAfterMs + o.stallMs;
      }
      const inStall = t >= first + o.stallAfterMs && t < stallUntil;
      const wait = (inStall ? stallUntil - t : 0) + (o.delayMs ?? 0);
      const answer = () =>
        call.request.service === 'missing'
          ? cb({ code: status.NOT_FOUND, details: 'unknown service' })
          : cb(null, { status: HealthCheckResponse_ServingStatus.SERVING });
      if (wait > 0) setTimeout(answer, wait);
      else answer();
    },
    watch() {},
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? fail(e) : ok(p),
    ),
  );
  const client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const call = (service = '') =>
    unary<HealthCheckResponse>(
      (opts, cb) => client.check({ service }, new Metadata(), opts, cb),
      5000,
    );
  await call();
  first = 0; // the warm-up call does not start the stall clock
  return {
    call,
    close: () => {
      client.close();
      server.forceShutdown();
    },
  };
}

describe('load generator', () => {
  it('open loop keeps the arrival rate through a server stall and shows it in the tail; closed loop hides it', async () => {
    const open = await stallingServer({ stallAfterMs: 600, stallMs: 300 });
    const openRun = await runOpenLoop({ rate: 200, durationSeconds: 2, call: () => open.call() });
    open.close();
    expect(openRun.intended).toBe(400);
    expect(openRun.sent).toBe(400);
    expect(openRun.ok).toBe(400);
    expect(openRun.dropped).toBe(0);
    // ~60 arrivals fall inside the 300 ms stall and wait for its end, measured from their due time.
    expect(openRun.latency.p99Ms).toBeGreaterThan(200);

    const closed = await stallingServer({ stallAfterMs: 600, stallMs: 300 });
    const closedRun = await runClosedLoop({
      concurrency: 1,
      durationSeconds: 2,
      call: () => closed.call(),
    });
    closed.close();
    // One request saw the stall; the single worker simply sent less meanwhile.
    expect(closedRun.latency.maxMs).toBeGreaterThan(250);
    expect(closedRun.latency.p99Ms).toBeLessThan(openRun.latency.p99Ms / 3);
  });

  it('counts failures by gRPC status and arrivals dropped at the in-flight cap', async () => {
    const slow = await stallingServer({ stallAfterMs: 1e9, stallMs: 0, delayMs: 200 });
    const run = await runOpenLoop({
      rate: 100,
      durationSeconds: 1,
      maxInFlight: 5,
      call: (i) => slow.call(i % 2 ? 'missing' : ''),
    });
    slow.close();
    expect(run.sent + run.dropped).toBe(100);
    expect(run.dropped).toBeGreaterThan(50);
    expect(run.errors.NOT_FOUND).toBeGreaterThan(0);
    expect(run.ok + run.errors.NOT_FOUND).toBe(run.sent);
  });
});
