/**
 * What the service stack costs per gRPC call on the server, layer by layer:
 * a CandidateGen.ScoreCandidates handler that answers at once (no model),
 * served by a child process as bare grpc-js (ts-proto codec only), then
 * wrapped in service-kit's `unary` with telemetry set up as every service
 * does it (no exporter), then with the Prometheus interceptor, then with
 * @opentelemetry/instrumentation-grpc as well: the stack every thoughtspace
 * service runs. This process drives each at a fixed rate and charges the
 * child's CPU time to the calls it served.
 *
 * Rounds (--rounds, default 5) run the layers in turn, so each meets the same
 * spells of a shared machine; a layer's figure is the median of its rounds,
 * and its ratio to bare grpc-js is the median of the same-round ratios.
 *
 *   npm run bench -- rpc-overhead [--calls 8000] [--rate 2000] [--rounds 5]
 *                                 [--out bench/results/rpc-overhead.json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { CandidateGenClient, ScoreCandidatesRequest } from '@thoughtspace/proto';
import { arg, positiveInt } from './lib/args';
import { openLoop } from './lib/open-loop';
import { machineInfo } from './lib/proc';
import { median } from './lib/stats';

const LAYERS = [
  'grpc-js',
  'service-kit',
  'service-kit+metrics',
  'service-kit+metrics+otel',
] as const;
type Layer = (typeof LAYERS)[number];

const HISTORY = 8;
const CANDIDATES = 10;

const resolved = (m: string) => JSON.stringify(require.resolve(m));

/**
 * The child (`node -e`, the layer as its argument): serves ScoreCandidates
 * with that layer and answers an IPC message with its CPU ms. The
 * instrumentation must hook require before anything loads grpc-js.
 */
const SERVER = `
const layer = process.argv[1];
if (layer.endsWith('+otel')) require(${resolved('@thoughtspace/service-kit/dist/instrument')});
const grpc = require(${resolved('@grpc/grpc-js')});
const kit = require(${resolved('@thoughtspace/service-kit')});
const { CandidateGenService } = require(${resolved('@thoughtspace/proto')});
kit.setupTelemetry({ serviceName: 'rpc-overhead' });
const reply = (req) => ({ candidates: {
  candidates: req.candidateItemIds.map((itemId, i) => ({ itemId, score: i })), model: 'none' } });
const handler = layer === 'grpc-js'
  ? (call, cb) => cb(null, reply(call.request))
  : kit.unary(async (req) => reply(req));
const rpc = kit.createRpcMetrics({ service: 'rpc-overhead', defaults: false });
const server = new grpc.Server({ interceptors: layer.includes('+metrics') ? [rpc.interceptor] : [] });
const unused = (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not benchmarked' });
server.addService(CandidateGenService, { scoreCandidates: handler, generateCandidates: unused,
  similarUsers: unused, getItemEmbeddings: unused, getUserEmbedding: unused });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.send({ port });
});
process.on('message', () => {
  const c = process.cpuUsage();
  process.send({ cpuMs: (c.user + c.system) / 1000 });
});
`;

/** One layer: a fresh child, warm-up, then `calls` calls at `rate`; server CPU µs per call. */
async function measure(layer: Layer, calls: number, rate: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, layer], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() => new Promise<T>((ok) => child.once('message', (m) => ok(m as T)));
  try {
    const { port } = await next<{ port: number }>();
    const client = new CandidateGenClient(`127.0.0.1:${port}`, credentials.createInsecure());
    const req = ScoreCandidatesRequest.fromPartial({
      history: {
        interactions: Array.from({ length: HISTORY }, (_, i) => ({ itemId: `B00${i}XYZ12` })),
      },
      candidateItemIds: Array.from({ length: CANDIDATES }, (_, i) => `B01${i}ABC34`),
    });
    const call = () =>
      new Promise<void>((ok, fail) =>
        client.scoreCandidates(req, new Metadata(), { deadline: Date.now() + 5000 }, (e) =>
          e ? fail(e) : ok(),
        ),
      );
    for (let i = 0; i < 500; i++) await call();
    const cpu = async () => {
      child.send('cpu');
      return (await next<{ cpuMs: number }>()).cpuMs;
    };
    const before = await cpu();
    const { errors } = await openLoop(rate, calls / rate, call);
    const after = await cpu();
    if (errors.length) throw new Error(`${layer}: ${errors.length} calls failed: ${errors[0]}`);
    client.close();
    return ((after - before) * 1000) / calls;
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const calls = positiveInt('calls', '8000');
  const rate = positiveInt('rate', '2000');
  const rounds = positiveInt('rounds', '5');
  const out = arg('out', 'bench/results/rpc-overhead.json');
  const perRound: Record<Layer, number>[] = [];
  for (let r = 1; r <= rounds; r++) {
    const row = {} as Record<Layer, number>;
    for (const layer of LAYERS) {
      row[layer] = await measure(layer, calls, rate);
      process.stderr.write(
        `round ${r}/${rounds} ${layer.padEnd(26)} ${row[layer].toFixed(1)} µs server CPU per call\n`,
      );
    }
    perRound.push(row);
  }
  const layers = LAYERS.map((layer) => ({
    layer,
    cpuUsPerCall: median(perRound.map((row) => row[layer])),
    ratioToGrpcJs: median(perRound.map((row) => row[layer] / row['grpc-js'])),
    rounds: perRound.map((row) => row[layer]),
  }));
  const result = {
    benchmark: 'rpc-overhead',
    command: `npm run bench -- rpc-overhead ${process.argv.slice(2).join(' ')}`.trim(),
    createdAt: new Date().toISOString(),
    machine: machineInfo(),
    request: `ScoreCandidates, ${HISTORY} history items, ${CANDIDATES} candidates; the handler answers at once`,
    calls,
    rate,
    rounds,
    layers,
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const l of layers)
    console.log(
      `${l.layer.padEnd(26)} ${l.cpuUsPerCall.toFixed(1)} µs per call, ${l.ratioToGrpcJs.toFixed(2)}x bare grpc-js`,
    );
  process.stderr.write(`wrote ${out}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
