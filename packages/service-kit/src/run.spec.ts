import { Server, credentials } from '@grpc/grpc-js';
import { get } from 'node:http';
import { HealthClient, HealthCheckRequest } from '@thoughtspace/proto';
import { createHealth } from './health';
import { runService } from './run';

const fetchText = (url: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

describe('runService', () => {
  it('serves the RPC latency histograms on METRICS_PORT with metrics: true, and closes it on stop', async () => {
    let stop: (() => Promise<void>) | undefined;
    try {
      const running = await runService({
        name: 'metrics-test',
        config: {
          host: '127.0.0.1',
          port: 0,
          logLevel: 'error',
          tracesExporter: 'none',
          otlpEndpoint: undefined,
          shutdownTimeoutMs: 1000,
          drainDelayMs: 0,
          reflection: false,
          metricsPort: 0,
        },
        metrics: true,
        build: async (_logger, rpc) => {
          const server = new Server({ interceptors: [rpc.interceptor] });
          const health = createHealth();
          health.addToServer(server);
          return { server, health, dispose: async () => undefined };
        },
      });
      stop = running.stop;
      expect(running.metricsPort).toBeGreaterThan(0);
      const client = new HealthClient(`127.0.0.1:${running.port}`, credentials.createInsecure());
      await new Promise((ok, fail) =>
        client.check(HealthCheckRequest.fromPartial({}), (err, res) => (err ? fail(err) : ok(res))),
      );
      client.close();
      const url = `http://127.0.0.1:${running.metricsPort}/metrics`;
      const page = await fetchText(url);
      expect(page.status).toBe(200);
      expect(page.body).toMatch(
        /grpc_server_handling_seconds_count\{[^}]*grpc_method="Check"[^}]*\} 1/,
      );
      await running.stop();
      stop = undefined;
      await expect(fetchText(url)).rejects.toThrow();
    } finally {
      await stop?.();
    }
  });
});
