import { credentials, Server, status, type ServiceError } from '@grpc/grpc-js';
import {
  HealthService,
  ScorerClient,
  ScorerService,
  type ScoreRequest,
  type ScoreResponse,
} from '@thoughtspace/proto';
import { waitFor } from '../../../tests/grpc-helpers';
import { unary } from './handlers';
import { createHealth, ServingStatus } from './health';
import { gracefulShutdown, shutdownOnSignals, startServer } from './server';

// A scorer whose every call takes `holdMs` (or until cancelled), so tests control what is in flight.
function slowServer(holdMs: number) {
  let started = 0;
  const server = new Server();
  const health = createHealth();
  server.addService(HealthService, health.implementation);
  server.addService(ScorerService, {
    score: unary<ScoreRequest, ScoreResponse>(async (req, ctx) => {
      started++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, holdMs);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return {
        candidates: { candidates: [{ itemId: req.candidateItemIds[0], score: 1 }], model: 'slow' },
      };
    }),
  });
  return { server, health, started: () => started };
}

function call(client: ScorerClient) {
  return new Promise<{ res?: ScoreResponse; err?: ServiceError }>((resolve) =>
    client.score({ candidateItemIds: ['a'], reason: '' }, (err, res) =>
      resolve(err ? { err } : { res }),
    ),
  );
}

describe('startServer and gracefulShutdown', () => {
  it('binds a free port, finishes in-flight calls on shutdown and refuses new ones', async () => {
    const { server, health, started } = slowServer(300);
    const { port, address } = await startServer({ server, port: 0, host: '127.0.0.1' });
    expect(port).toBeGreaterThan(0);
    expect(address).toBe(`127.0.0.1:${port}`);
    health.setAllServing();

    const client = new ScorerClient(address, credentials.createInsecure());
    const inFlight = call(client);
    await waitFor(() => started() === 1);
    const t0 = Date.now();
    const result = await gracefulShutdown(server, { timeoutMs: 5000, health, drainDelayMs: 0 });
    expect(result).toBe('graceful');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(health.getStatus('')).toBe(ServingStatus.NOT_SERVING);
    expect((await inFlight).res?.candidates?.candidates[0].itemId).toBe('a');

    const after = await call(client);
    expect(after.err?.code).toBe(status.UNAVAILABLE);
    client.close();
  });

  it('cancels calls still running after the timeout', async () => {
    const { server, started } = slowServer(10_000);
    const { address } = await startServer({ server, port: 0, host: '127.0.0.1' });
    const client = new ScorerClient(address, credentials.createInsecure());
    const inFlight = call(client);
    await waitFor(() => started() === 1);
    const t0 = Date.now();
    expect(await gracefulShutdown(server, { timeoutMs: 100, drainDelayMs: 0 })).toBe('forced');
    expect(Date.now() - t0).toBeLessThan(1000);
    const { err } = await inFlight;
    expect([status.CANCELLED, status.UNAVAILABLE]).toContain(err?.code);
    client.close();
  });

  it('names the address when the port cannot be bound', async () => {
    // grpc-js also logs the bind failure itself; keep the test output clean.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => {});
    const first = new Server();
    const { port } = await startServer({ server: first, port: 0, host: '127.0.0.1' });
    const second = new Server();
    await expect(startServer({ server: second, port, host: '127.0.0.1' })).rejects.toThrow(
      `cannot bind 127.0.0.1:${port}`,
    );
    first.forceShutdown();
    second.forceShutdown();
    quiet.mockRestore();
  });

  it('shuts down on SIGTERM, runs onShutdown and exits 0', async () => {
    const { server, health } = slowServer(0);
    await startServer({ server, port: 0, host: '127.0.0.1' });
    health.setAllServing();
    const order: string[] = [];
    const dispose = shutdownOnSignals({
      server,
      health,
      timeoutMs: 1000,
      onShutdown: () => {
        order.push('onShutdown');
      },
      exit: (code) => order.push(`exit ${code}`),
    });
    process.emit('SIGTERM', 'SIGTERM');
    await waitFor(() => order.length === 2);
    expect(order).toEqual(['onShutdown', 'exit 0']);
    expect(health.getStatus('')).toBe(ServingStatus.NOT_SERVING);
    dispose();
  });
});
