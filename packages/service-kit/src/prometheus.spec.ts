import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { get } from 'node:http';
import { HealthClient, HealthService } from '@thoughtspace/proto';
import { createHealth, ServingStatus } from './health';
import { createRpcMetrics, startMetricsServer } from './prometheus';

const fetchText = (url: string) =>
  new Promise<{ status: number; text: string }>((ok, fail) =>
    get(url, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
    }).on('error', fail),
  );

describe('Prometheus RPC latency histograms', () => {
  it('counts every call by method and status code on /metrics', async () => {
    const metrics = createRpcMetrics({ service: 'probe', defaults: false });
    const server = new Server({ interceptors: [metrics.interceptor] });
    const health = createHealth({ services: { 'thoughtspace.v1.Probe': ServingStatus.SERVING } });
    server.addService(HealthService, health.implementation);
    const port = await new Promise<number>((ok, fail) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? fail(err) : ok(p),
      ),
    );
    const http = await startMetricsServer({
      registry: metrics.registry,
      port: 0,
      host: '127.0.0.1',
    });
    const client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      const check = (service: string) =>
        new Promise<number>((ok) => client.check({ service }, (err) => ok(err ? err.code : 0)));
      expect(await check('')).toBe(0);
      expect(await check('thoughtspace.v1.Probe')).toBe(0);
      expect(await check('no.such.Service')).toBe(5); // NOT_FOUND
      const { status, text } = await fetchText(`http://127.0.0.1:${http.port}/metrics`);
      expect(status).toBe(200);
      expect(text).toContain(
        'grpc_server_handling_seconds_count{service="probe",grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_code="OK"} 2',
      );
      expect(text).toContain(
        'grpc_server_handling_seconds_count{service="probe",grpc_service="grpc.health.v1.Health",grpc_method="Check",grpc_code="NOT_FOUND"} 1',
      );
      expect(text).toMatch(/grpc_server_handling_seconds_bucket\{le="\+Inf",.*grpc_code="OK"\} 2/);
      expect((await fetchText(`http://127.0.0.1:${http.port}/other`)).status).toBe(404);
    } finally {
      client.close();
      server.forceShutdown();
      await http.close();
    }
  });

  it("serves a service's own counters beside the histograms, by label", async () => {
    const metrics = createRpcMetrics({ service: 'probe', defaults: false });
    const degraded = metrics.counter({
      name: 'probe_degraded_total',
      help: 'answers without a reason',
      labelNames: ['stage'],
    });
    degraded.add(1, { stage: 'select' });
    degraded.add(2, { stage: 'select' });
    degraded.add(1, { stage: 'expand' });
    const endpoint = await startMetricsServer({
      registry: metrics.registry,
      port: 0,
      host: '127.0.0.1',
    });
    try {
      const { text } = await fetchText(`http://127.0.0.1:${endpoint.port}/metrics`);
      expect(text).toContain('# TYPE probe_degraded_total counter');
      expect(text).toMatch(/probe_degraded_total\{stage="select",service="probe"\} 3/);
      expect(text).toMatch(/probe_degraded_total\{stage="expand",service="probe"\} 1/);
    } finally {
      await endpoint.close();
    }
  });
});
