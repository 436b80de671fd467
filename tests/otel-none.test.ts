/**
 * OTEL_TRACES_EXPORTER=none (the default) in a real process with
 * @opentelemetry/instrumentation-grpc: the process records no span, yet a
 * trace passes through it unbroken. A child process (instrument.ts first,
 * then setupTelemetry with no exporter, as a service's main.ts does) serves
 * a Scorer whose handler calls a second server twice; that server records
 * the traceparents it receives. The caller's traceparent must arrive
 * unchanged (same trace, same parent: nothing in between was recorded); a
 * call without one must start a trace (a sampled traceparent, the same trace
 * id on both downstream calls, a new one per call), so one request's calls
 * and log lines still share a trace id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ScorerClient, ScoreRequest } from '@thoughtspace/proto';

const SCRIPT = `
require('@thoughtspace/service-kit/dist/instrument');
const grpc = require('@grpc/grpc-js');
const { trace } = require('@opentelemetry/api');
const kit = require('@thoughtspace/service-kit');
const { ScorerClient, ScorerService } = require('@thoughtspace/proto');
kit.setupTelemetry({ serviceName: 'none-test' });
const seen = [];
const bind = (server) => new Promise((ok, fail) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))));
(async () => {
  const inner = new grpc.Server();
  inner.addService(ScorerService, {
    score: kit.unary(async (_req, ctx) => {
      seen.push(ctx.metadata.get('traceparent').map(String)[0] ?? null);
      return { candidates: { candidates: [], model: '' } };
    }),
  });
  const innerPort = await bind(inner);
  const client = new ScorerClient('127.0.0.1:' + innerPort, grpc.credentials.createInsecure());
  const outer = new grpc.Server();
  outer.addService(ScorerService, {
    score: kit.unary(async () => {
      const recording = trace.getActiveSpan()?.isRecording() ?? false;
      const inner = () => kit.callDownstream(client, client.score, { candidateItemIds: ['a'] },
        { peer: 'inner', service: 'thoughtspace.v1.Scorer', method: 'Score' });
      await inner();
      await inner();
      const received = seen.splice(0);
      return { candidates: { candidates: [], model: JSON.stringify({ received, recording }) } };
    }),
  });
  const port = await bind(outer);
  process.stdout.write('port ' + port + '\\n');
})();
`;

describe('OTEL_TRACES_EXPORTER=none with the gRPC instrumentation in a real process', () => {
  let child: ChildProcess;
  let client: ScorerClient;

  beforeAll(async () => {
    child = spawn(process.execPath, ['-e', SCRIPT], {
      cwd: __dirname,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
    });
    const port = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /port (\d+)/.exec(out);
        if (m) ok(m[1]);
      });
      child.on('exit', (code) => fail(new Error(`test server exited with ${code}`)));
    });
    client = new ScorerClient(`127.0.0.1:${port}`, credentials.createInsecure());
  }, 60_000);

  afterAll(() => {
    client?.close();
    child?.kill('SIGKILL');
  });

  const score = (metadata: Metadata) =>
    new Promise<{ received: (string | null)[]; recording: boolean }>((ok, fail) =>
      client.score(
        ScoreRequest.fromPartial({ candidateItemIds: ['a'] }),
        metadata,
        { deadline: Date.now() + 10_000 },
        (err, res) => (err ? fail(err) : ok(JSON.parse(res.candidates!.model))),
      ),
    );

  it("passes the caller's traceparent to its downstream calls unchanged and records nothing", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const metadata = new Metadata();
    metadata.set('traceparent', traceparent);
    expect(await score(metadata)).toEqual({
      received: [traceparent, traceparent],
      recording: false,
    });
  });

  it('starts a trace for a call that brings none: one trace id per call, nothing recorded', async () => {
    const first = await score(new Metadata());
    const second = await score(new Metadata());
    const sampled = /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/;
    for (const r of [first, second]) {
      expect(r.recording).toBe(false);
      expect(r.received).toEqual([expect.stringMatching(sampled), expect.stringMatching(sampled)]);
      // Both downstream calls of one request carry its trace.
      expect(r.received[0]).toBe(r.received[1]);
    }
    const traceOf = (r: { received: (string | null)[] }) => sampled.exec(r.received[0]!)![1];
    expect(traceOf(first)).not.toBe(traceOf(second));
    expect(traceOf(first)).not.toBe('0'.repeat(32));
  });
});
