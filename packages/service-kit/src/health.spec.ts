import { credentials, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  HealthClient,
  HealthService,
  SERVICE_NAMES,
  type HealthCheckResponse,
} from '@thoughtspace/proto';
import { startTestServer, waitFor, type TestServer } from '../../../tests/grpc-helpers';
import { createHealth, ServingStatus, type Health } from './health';

const SCORER = SERVICE_NAMES.scorer;

function check(client: HealthClient, service: string) {
  return new Promise<{ status?: ServingStatus; err?: ServiceError }>((resolve) =>
    client.check({ service }, (err, res) => resolve(err ? { err } : { status: res.status })),
  );
}

describe('grpc.health.v1', () => {
  let server: TestServer;
  let client: HealthClient;
  let health: Health;

  beforeAll(async () => {
    health = createHealth({ services: { [SCORER]: ServingStatus.NOT_SERVING } });
    server = await startTestServer((s) => s.addService(HealthService, health.implementation));
    client = new HealthClient(server.address, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('Check reports NOT_SERVING until main.ts flips a service to SERVING', async () => {
    expect(await check(client, SCORER)).toEqual({ status: ServingStatus.NOT_SERVING });
    health.setStatus(SCORER, ServingStatus.SERVING);
    expect(await check(client, SCORER)).toEqual({ status: ServingStatus.SERVING });
    expect(await check(client, '')).toEqual({ status: ServingStatus.NOT_SERVING });
    health.setAllServing();
    expect(await check(client, '')).toEqual({ status: ServingStatus.SERVING });
  });

  it('Check answers NOT_FOUND for an unknown service', async () => {
    const { err } = await check(client, 'nope.v1.Nothing');
    expect(err?.code).toBe(status.NOT_FOUND);
  });

  it('Watch streams the current status and every change, SERVICE_UNKNOWN for unknown services', async () => {
    const seen: ServingStatus[] = [];
    const unknown: ServingStatus[] = [];
    const stream: ClientReadableStream<HealthCheckResponse> = client.watch({ service: SCORER });
    const other: ClientReadableStream<HealthCheckResponse> = client.watch({
      service: 'x.v1.Later',
    });
    stream.on('data', (m: HealthCheckResponse) => seen.push(m.status));
    other.on('data', (m: HealthCheckResponse) => unknown.push(m.status));
    // Cancelling is how a Watch ends; swallow the resulting CANCELLED errors.
    stream.on('error', () => {});
    other.on('error', () => {});

    await waitFor(() => seen.length === 1 && unknown.length === 1);
    expect(seen).toEqual([ServingStatus.SERVING]);
    expect(unknown).toEqual([ServingStatus.SERVICE_UNKNOWN]);

    health.setStatus(SCORER, ServingStatus.NOT_SERVING);
    health.setStatus('x.v1.Later', ServingStatus.SERVING);
    await waitFor(() => seen.length === 2 && unknown.length === 2);
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    expect(unknown).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING]);

    // shutdown() flips everything to NOT_SERVING and pins it there.
    health.shutdown();
    health.setStatus('x.v1.Later', ServingStatus.SERVING);
    await waitFor(() => unknown.length === 3);
    expect(unknown[2]).toBe(ServingStatus.NOT_SERVING);
    expect(health.getStatus('x.v1.Later')).toBe(ServingStatus.NOT_SERVING);
    stream.cancel();
    other.cancel();
  });
});

describe('grpc.health.v1 registered with grpc-health-check definition (addToServer)', () => {
  it('answers Check and Watch, and endWatches() ends open streams with OK so shutdown is not held', async () => {
    const health = createHealth({ services: { [SCORER]: ServingStatus.NOT_SERVING } });
    const server = await startTestServer((s) => health.addToServer(s));
    const client = new HealthClient(server.address, credentials.createInsecure());
    try {
      health.setAllServing();
      expect(await check(client, SCORER)).toEqual({ status: ServingStatus.SERVING });
      const seen: ServingStatus[] = [];
      const stream: ClientReadableStream<HealthCheckResponse> = client.watch({ service: '' });
      stream.on('data', (m: HealthCheckResponse) => seen.push(m.status));
      const ended = new Promise<number>((resolve) =>
        stream.on('status', (s: { code: number }) => resolve(s.code)),
      );
      await waitFor(() => seen.length === 1);
      expect(health.openWatches).toBe(1);
      health.shutdown();
      await waitFor(() => seen.length === 2);
      expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
      health.endWatches();
      expect(await ended).toBe(status.OK);
      expect(health.openWatches).toBe(0);
      // With no Watch open, tryShutdown completes at once.
      const t0 = Date.now();
      await new Promise<void>((resolve, reject) =>
        server.server.tryShutdown((err) => (err ? reject(err) : resolve())),
      );
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      client.close();
      await server.close();
    }
  });
});
