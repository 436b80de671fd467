/**
 * @opentelemetry/instrumentation-grpc in the real service processes: `up
 * --no-kafka` starts the seven servers (each its own process, the SDK and
 * the instrumentation set up by its entry point before grpc-js loads), each
 * exporting spans over OTLP/HTTP to a receiver in this test. One Recommend
 * yields one trace whose RPC spans come from the instrumentation (no
 * hand-written duplicates), with the model runs under the server spans.
 * (Under jest grpc-js cannot be patched: tests/gateway.test.ts checks the
 * same tree in-process with service-kit's fallback spans.)
 */
import { credentials } from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayClient, RecommendRequest } from '@thoughtspace/proto';
import { unaryCall } from './grpc-helpers';
import { runCli } from './helpers';
import { trainTinyBundle, type TrainedBundle } from './serving-stack';

/** A span as OTLP/JSON carries it, with its service and instrumentation scope. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP: 1 internal, 2 server, 3 client. */
  kind: number;
  status?: { code?: number };
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
  service: string;
  scope: string;
}

interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: Omit<OtlpSpan, 'service' | 'scope'>[] }[];
  }[];
}

const SERVER = 2;
const CLIENT = 3;
const INSTRUMENTATION = '@opentelemetry/instrumentation-grpc';

describe('instrumentation-grpc in the service processes (OTLP from `up --no-kafka`)', () => {
  let bundle: TrainedBundle;
  let receiver: Server;
  const spans: OtlpSpan[] = [];
  let pids: number[] = [];

  beforeAll(async () => {
    bundle = await trainTinyBundle();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as OtlpRequest;
        for (const rs of parsed.resourceSpans) {
          const service =
            rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans) spans.push({ ...s, service, scope: ss.scope.name });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  }, 300_000);
  afterAll(async () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => receiver?.close(r));
  });

  it('one Recommend is one trace of instrumentation spans across the services', async () => {
    const address = receiver.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const env = {
      LOG_LEVEL: 'warn',
      ORT_THREADS: '1',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
    };
    const up = await runCli(['up', '--run', bundle.dir, '--no-kafka', '--timeout', '90000'], {
      env,
    });
    const state = JSON.parse(await readFile(join(bundle.dir, 'up.json'), 'utf8')) as {
      services: { name: string; pid: number; address: string }[];
    };
    pids = state.services.map((s) => s.pid);
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const gateway = state.services.find((s) => s.name === 'gateway')!.address;
    const client = new GatewayClient(gateway, credentials.createInsecure());
    const user = bundle.users[0];
    const res = await unaryCall(
      client.recommend,
      client,
      RecommendRequest.fromPartial({
        subject: {
          $case: 'history',
          value: { userId: user.userId, interactions: user.history.map((itemId) => ({ itemId })) },
        },
        k: 5,
      }),
      Date.now() + 60_000,
    );
    client.close();
    expect(res.items).toHaveLength(5);
    expect(res.degraded).toBe(false);
    // `down` drains every process; each flushes its spans on the way out.
    const down = await runCli(['down', '--run', bundle.dir], { env });
    expect(down.code).toBe(0);

    const roots = spans.filter(
      (s) => s.name === 'grpc.thoughtspace.v1.Gateway/Recommend' && s.kind === SERVER,
    );
    expect(roots).toHaveLength(1);
    const root = roots[0];
    expect({ service: root.service, scope: root.scope }).toEqual({
      service: 'gateway',
      scope: INSTRUMENTATION,
    });
    const trace = spans.filter((s) => s.traceId === root.traceId);
    const children = (p: OtlpSpan, kind?: number) =>
      trace.filter((s) => s.parentSpanId === p.spanId && (kind === undefined || s.kind === kind));
    // One GenerateCandidates call brings the similar users too; Select has the base reason and
    // the tree written in one call of its own and scores the leaves in its process.
    expect(
      children(root, CLIENT)
        .map((s) => s.name)
        .sort(),
    ).toEqual([
      'grpc.thoughtspace.v1.CandidateGen/GenerateCandidates',
      'grpc.thoughtspace.v1.Scorer/Score',
      'grpc.thoughtspace.v1.TotSelector/Select',
    ]);
    const select = trace.find(
      (s) => s.name === 'grpc.thoughtspace.v1.TotSelector/Select' && s.kind === SERVER,
    )!;
    expect(children(select, CLIENT).map((s) => s.name)).toEqual([
      'grpc.thoughtspace.v1.RationaleGen/GenerateRationale',
    ]);
    for (const c of children(root, CLIENT)) {
      expect(c.scope).toBe(INSTRUMENTATION);
      // The peer's server span, in the peer's process, is the client span's child.
      const servers = children(c, SERVER);
      expect(servers.map((s) => [s.name, s.scope])).toEqual([[c.name, INSTRUMENTATION]]);
      expect(servers[0].service).not.toBe('gateway');
    }
    // Every RPC span of the trace is the instrumentation's: no hand-written duplicates.
    const rpc = trace.filter((s) => s.kind === SERVER || s.kind === CLIENT);
    expect(rpc.filter((s) => s.scope !== INSTRUMENTATION)).toEqual([]);
    expect(rpc.every((s) => s.name.startsWith('grpc.thoughtspace.v1.'))).toBe(true);
    // Hand-written spans remain where instrumentation cannot reach: the model runs.
    const score = trace.find(
      (s) => s.name === 'grpc.thoughtspace.v1.Scorer/Score' && s.kind === SERVER,
    )!;
    const runs = children(score)
      .filter((s) => s.name === 'onnxruntime.run')
      .map((s) => s.attributes?.find((a) => a.key === 'thoughtspace.model')?.value.stringValue);
    expect(runs).toContain('scorer');
    expect(trace.filter((s) => s.status?.code === 2)).toEqual([]);
  }, 300_000);
});
