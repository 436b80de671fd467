import { credentials, type ServiceError } from '@grpc/grpc-js';
import { prepareDataset } from '@thoughtspace/data';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthClient,
  RationaleGenClient,
  RationaleKind,
  type GenerateRationaleRequest,
} from '@thoughtspace/proto';
import { serverSpec, startServerProcess } from './server-processes';

/**
 * SIGTERM under load, as an outside client saw it fail (issue 8 part 6):
 * every call the server accepted must finish OK, and health must read
 * NOT_SERVING before the port closes.
 */
describe('SIGTERM with 200 calls in flight (real rationale-gen process)', () => {
  it('finishes every accepted call OK and reports NOT_SERVING before the port closes', async () => {
    const { dataset } = await prepareDataset({ dataset: 'all-beauty-2018-reviews' });
    const server = await startServerProcess(serverSpec('rationale-gen'), {
      // On a quiet machine the server reads all 200 calls within this; short for CI.
      DRAIN_DELAY_MS: '1000',
    });
    const client = new RationaleGenClient(server.address, credentials.createInsecure());
    const health = new HealthClient(server.address, credentials.createInsecure());
    const request: GenerateRationaleRequest = {
      task: {
        kind: RationaleKind.BASE,
        history: {
          userId: dataset.userIds[0],
          interactions: dataset.itemIds.slice(0, 8).map((itemId) => ({ itemId, rating: 5 })),
        },
        similarUserItemIds: dataset.itemIds.slice(8, 20),
        parentReasons: [],
        furtherLevels: [],
        n: 0,
        provider: '',
        maxTokens: 0,
      },
    };
    try {
      // Health as a readiness probe sees it: a Watch stream plus polled Checks.
      const watched: (ServingStatus | string)[] = [];
      const watch = health.watch({ service: '' });
      let okBeforeNotServing = -1;
      let ok = 0;
      watch.on('data', (m: { status: ServingStatus }) => {
        watched.push(m.status);
        if (m.status === ServingStatus.NOT_SERVING) okBeforeNotServing = ok;
      });
      watch.on('error', (e: ServiceError) => watched.push(`error ${e.code}`));
      const polled: (ServingStatus | string)[] = [];
      let polling = true;
      const poll = (async () => {
        while (polling) {
          polled.push(
            await new Promise<ServingStatus | string>((resolve) =>
              health.check({ service: '' }, (err, res) =>
                resolve(err ? `error ${err.code}` : res.status),
              ),
            ),
          );
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      // Warm the connection, then 200 concurrent calls, SIGTERM while they run.
      await new Promise((resolve, reject) =>
        client.generateRationale(request, (err, res) => (err ? reject(err) : resolve(res))),
      );
      let sent = 0;
      const outcomes = Array.from(
        { length: 200 },
        () =>
          new Promise<string>((resolve) => {
            client.generateRationale(request, (err, res) => {
              if (!err) ok++;
              resolve(err ? `${err.code} ${err.details}` : res.rationales.length ? 'OK' : 'empty');
            });
            sent++;
          }),
      );
      expect(sent).toBe(200);
      server.child.kill('SIGTERM');
      const results = await Promise.all(outcomes);
      const code = await server.exited;
      polling = false;
      await poll;

      // A call the server never read (still in the socket when it stopped
      // accepting) gets GOAWAY; grpc-js retries it transparently and, with the
      // process gone, it ends UNAVAILABLE "No connection established". That is
      // a refusal the client may retry elsewhere, not a lost call. Every other
      // outcome must be OK: an accepted call cut off would be INTERNAL
      // (RST_STREAM), CANCELLED or a dropped connection.
      const refused = results.filter((r) => /^14 No connection established/.test(r));
      const lost = results.filter((r) => r !== 'OK' && !refused.includes(r));
      expect(lost).toEqual([]);
      expect(ok).toBe(200 - refused.length);
      expect(ok).toBeGreaterThan(0);
      expect(code).toBe(0);
      expect(watched[0]).toBe(ServingStatus.SERVING);
      expect(watched).toContain(ServingStatus.NOT_SERVING);
      // The signal arrived while calls were still running: some finished after the flip.
      expect(okBeforeNotServing).toBeGreaterThanOrEqual(0);
      expect(okBeforeNotServing).toBeLessThan(ok);
      // Polled Checks went SERVING -> NOT_SERVING -> unreachable, never straight to unreachable.
      const firstNotServing = polled.indexOf(ServingStatus.NOT_SERVING);
      const firstError = polled.findIndex((s) => typeof s === 'string');
      expect(firstNotServing).toBeGreaterThan(0);
      if (firstError >= 0) expect(firstError).toBeGreaterThan(firstNotServing);
      // The log tells the order: NOT_SERVING and drain, then refusing new calls, then shut down.
      const msgs = server
        .stderr()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
      const order = [
        'health NOT_SERVING; draining',
        'refusing new calls; waiting for accepted calls',
        'shut down',
      ];
      expect(order.map((m) => msgs.indexOf(m))).toEqual(
        [...order.map((m) => msgs.indexOf(m))].sort((a, b) => a - b),
      );
      expect(msgs).not.toContain('shutdown timed out; cancelling in-flight calls');
    } finally {
      client.close();
      health.close();
      await server.stop();
    }
  });
});
