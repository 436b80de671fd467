/**
 * Every server, as `node services/<name>/dist/main.js` with METRICS_PORT set,
 * serves Prometheus /metrics with its per-method RPC latency histogram: what
 * the chart's metrics port and ServiceMonitor scrape on each of them.
 */
import { credentials } from '@grpc/grpc-js';
import { HealthCheckRequest, HealthClient } from '@thoughtspace/proto';
import { unaryCall } from './grpc-helpers';
import { SERVERS, startServerProcess, type ServerProcess } from './server-processes';

jest.setTimeout(120_000);

/** The /metrics port the server reported in its `ready` line. */
async function metricsPort(server: ServerProcess): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const m = /"metrics":":(\d+)\/metrics"/.exec(server.stderr());
    if (m) return Number(m[1]);
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`${server.name} logged no metrics endpoint: ${server.stderr()}`);
}

describe.each(SERVERS.map((s) => [s.name, s] as const))('%s', (_name, spec) => {
  it('serves grpc_server_handling_seconds on METRICS_PORT, per method', async () => {
    const server = await startServerProcess(spec, { METRICS_PORT: '0' });
    try {
      const port = await metricsPort(server);
      const health = new HealthClient(server.address, credentials.createInsecure());
      await unaryCall(
        health.check,
        health,
        HealthCheckRequest.fromPartial({ service: spec.service }),
        Date.now() + 10_000,
      );
      health.close();
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(
        /grpc_server_handling_seconds_count\{[^}]*grpc_service="grpc\.health\.v1\.Health"[^}]*grpc_method="Check"[^}]*\} 1/,
      );
    } finally {
      await server.stop();
    }
  });
});
