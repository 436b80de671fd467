/**
 * End-to-end throughput of the Kafka chain as separate processes: the mock
 * broker, the candidate-gen, tot-selector and scorer stage workers (and the
 * gRPC services the reasoning stages call) and the streaming evaluator, all
 * started by `thoughtspace up` on a finished run's serving bundle, fed by
 * `thoughtspace replay` at a fixed rate. Every process exports its spans
 * over OTLP/HTTP to a receiver in this process; each stage's `process
 * <topic>` span (when the stage started on a record) is set against the
 * timestamp of the record it consumed (read back from the topics) and the
 * time the request was produced. Writes bench/results/kafka-pipeline.json
 * and kafka-pipeline.svg.
 *
 *   npm run bench -- kafka-pipeline [--bundle /work/main/runs/main/serving]
 *     [--rate 2] [--requests 120] [--out bench/results/kafka-pipeline.json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { barChart } from '@thoughtspace/report';
import { TOPICS, createConsumer, createKafka, headerString, HEADERS } from '@thoughtspace/kafka';
import { arg } from './lib/args';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'packages/cli/bin/thoughtspace.js');

function positive(name: string, value: string): number {
  const v = Number(value);
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`--${name} must be a positive number`);
  return v;
}

// --- OTLP/HTTP JSON receiver ------------------------------------------------

interface ReceivedSpan {
  service: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpBody {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        name: string;
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

const valueOf = (v: OtlpValue): string | number | boolean =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue ?? ''));
const nanosToMs = (n: string | number): number => Number(BigInt(n) / 1000n) / 1000;

function otlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const body = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((res, rej) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res(Buffer.concat(chunks)));
      req.on('error', rej);
    });
  const server = createServer((req, res) => {
    void body(req).then((raw) => {
      try {
        if (!String(req.headers['content-type'] ?? '').includes('json')) {
          throw new Error(`content-type ${req.headers['content-type']}: only OTLP/JSON is read`);
        }
        const text = (
          req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
        ).toString();
        const parsed = JSON.parse(text) as OtlpBody;
        for (const rs of parsed.resourceSpans ?? []) {
          const service = String(
            valueOf(
              rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value ?? {
                stringValue: '?',
              },
            ),
          );
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                service,
                name: s.name,
                startMs: nanosToMs(s.startTimeUnixNano),
                endMs: nanosToMs(s.endTimeUnixNano),
                attributes: Object.fromEntries(
                  (s.attributes ?? []).map((a) => [a.key, valueOf(a.value)]),
                ),
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (err) {
        console.error(`otlp receiver: ${(err as Error).message}`);
        res.writeHead(400).end();
      }
    });
  });
  return new Promise((res) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      res({ server, url: `http://127.0.0.1:${port}/v1/traces`, spans });
    }),
  );
}

// --- statistics ---------------------------------------------------------------

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

interface Dist {
  n: number;
  p50: number;
  p99: number;
  max: number;
}
function dist(xs: number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    max: s[s.length - 1] ?? NaN,
  };
}

// --- the chain ------------------------------------------------------------------

/** Stages in chain order: the topic each consumes and its consumer group. */
const STAGES = [
  { stage: 'candidate-gen', topic: TOPICS.recRequests, group: 'candidate-gen' },
  { stage: 'tot-selector', topic: TOPICS.candidates, group: 'tot-selector' },
  { stage: 'scorer', topic: TOPICS.selections, group: 'scorer' },
  { stage: 'evaluator', topic: TOPICS.predictions, group: 'thoughtspace-evaluator' },
] as const;

/** First timestamp (ms) per request id of every record on `topics`, read from the beginning. */
async function recordTimes(
  brokers: string[],
  topics: string[],
  expected: number,
): Promise<Map<string, Map<string, number>>> {
  const kafka = createKafka({ config: { brokers, clientId: 'bench-pipeline-reader', ssl: false } });
  const consumer = createConsumer({ kafka, groupId: `bench-pipeline-reader-${Date.now()}` });
  const times = new Map(topics.map((t) => [t, new Map<string, number>()]));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let lastGrowth = Date.now();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const m = times.get(batch.topic)!;
      for (const r of batch.messages) {
        const id = headerString(r.headers, HEADERS.requestId);
        if (id && !m.has(id)) m.set(id, Number(r.timestamp));
      }
      lastGrowth = Date.now();
    },
  });
  // Done when every topic has every request id, or nothing new came for 5 s.
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    if ([...times.values()].every((m) => m.size >= expected)) break;
    if (Date.now() - lastGrowth > 5000) break;
  }
  await consumer.disconnect();
  return times;
}

interface Checkpoint {
  state: { counts: { joined: number; rejected: number; duplicates: number; expired: number } };
}

async function main(): Promise<void> {
  const bundleDir = resolve(arg('bundle', '/work/main/runs/main/serving'));
  const rate = positive('rate', arg('rate', '2'));
  const requests = Math.round(positive('requests', arg('requests', '120')));
  const loadBefore = loadavg();
  const bundleJson = await readFile(join(bundleDir, 'bundle.json'), 'utf8').catch(() => {
    throw new Error(`--bundle ${bundleDir}: no bundle.json (a finished run's serving folder)`);
  });
  const bundle = JSON.parse(bundleJson) as {
    dataset: { name: string; manifestHash: string };
    seed: number;
    provider: string;
    models: Record<string, { sha256: string }>;
  };

  // `up` writes logs, up.json and the evaluator checkpoint into the bundle:
  // serve a copy of the models (the source stays read-only).
  const work = await mkdtemp(join(tmpdir(), 'ts-bench-pipeline-'));
  const run = join(work, 'run');
  await mkdir(join(run, 'serving'), { recursive: true });
  for (const entry of ['bundle.json', ...Object.keys(bundle.models)]) {
    await cp(join(bundleDir, entry), join(run, 'serving', entry), { recursive: true });
  }

  const otlp = await otlpReceiver();
  const env = {
    ...process.env,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url,
    LOG_LEVEL: 'info',
  };
  let upStarted = false;
  const down = (): void => {
    if (!upStarted) return;
    spawnSync(process.execPath, [BIN, 'down', '--run', run], { stdio: 'inherit', env });
    upStarted = false;
  };
  try {
    console.log(`up: ${bundleDir} (${bundle.dataset.name}) served from ${run}`);
    const upAt = performance.now();
    upStarted = true;
    const up = spawnSync(process.execPath, [BIN, 'up', '--run', run], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
    if (up.status !== 0) throw new Error(`thoughtspace up exited with ${up.status}`);
    const upMs = performance.now() - upAt;
    const state = JSON.parse(await readFile(join(run, 'serving', 'up.json'), 'utf8')) as {
      services: { name: string; address: string }[];
    };
    const brokers = state.services.find((s) => s.name === 'broker')!.address;

    // Replay at the fixed rate; the evaluator's checkpoint says what has joined.
    console.log(`replay: ${requests} test requests at ${rate}/s`);
    const replayStarted = Date.now();
    const replay = spawn(
      process.execPath,
      [
        BIN,
        'replay',
        '--run',
        run,
        '--split',
        'test',
        '--rate',
        String(rate),
        '--limit',
        String(requests),
        '--brokers',
        brokers,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'], env },
    );
    const replayExit = new Promise<number | null>((r) => replay.once('exit', r));
    const checkpointFile = join(run, 'serving', 'evaluator-checkpoint.json');
    const deadline = Date.now() + (requests / rate) * 1000 + 300_000;
    let counts: Checkpoint['state']['counts'] | undefined;
    let lastPrint = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const c = await readFile(checkpointFile, 'utf8')
        .then((t) => (JSON.parse(t) as Checkpoint).state.counts)
        .catch(() => undefined);
      if (c) counts = c;
      const done = (counts?.joined ?? 0) + (counts?.rejected ?? 0);
      if (Date.now() - lastPrint > 5000) {
        lastPrint = Date.now();
        console.log(
          `  evaluator: ${done}/${requests} counted after ${((Date.now() - replayStarted) / 1000).toFixed(0)} s (load ${loadavg()[0].toFixed(1)})`,
        );
      }
      if (done >= requests) break;
      if (Date.now() > deadline) {
        throw new Error(`only ${done} of ${requests} requests counted before the deadline`);
      }
    }
    if ((await replayExit) !== 0) throw new Error('thoughtspace replay failed');

    // Spans are exported in batches (every 5 s): wait until the evaluator's
    // join of every request has arrived, or 30 s.
    const joinedSpans = () =>
      otlp.spans.filter(
        (s) =>
          s.name === `process ${TOPICS.predictions}` &&
          s.attributes['thoughtspace.join.outcome'] === 'joined',
      ).length;
    const spanDeadline = Date.now() + 30_000;
    while (joinedSpans() < (counts?.joined ?? requests) && Date.now() < spanDeadline) {
      await new Promise((r) => setTimeout(r, 500));
    }

    const topics = [TOPICS.recRequests, TOPICS.candidates, TOPICS.selections, TOPICS.predictions];
    const times = await recordTimes(brokers.split(','), topics, requests);
    down();

    // Per stage: lag = process span start - timestamp of the record it
    // consumed; since request = process span start - the request's produce
    // time; handling = the process span's duration.
    const requestAt = times.get(TOPICS.recRequests)!;
    const rows = STAGES.map(({ stage, topic, group }) => {
      const firstSpan = new Map<string, ReceivedSpan>();
      for (const s of otlp.spans) {
        if (s.name !== `process ${topic}`) continue;
        if (s.attributes['messaging.kafka.consumer.group'] !== group) continue;
        const id = String(s.attributes['thoughtspace.request_id'] ?? '');
        const seen = firstSpan.get(id);
        if (id && (!seen || s.startMs < seen.startMs)) firstSpan.set(id, s);
      }
      const input = times.get(topic)!;
      const lag: number[] = [];
      const since: number[] = [];
      const handling: number[] = [];
      for (const [id, s] of firstSpan) {
        const at = input.get(id);
        const req = requestAt.get(id);
        if (at !== undefined) lag.push(s.startMs - at);
        if (req !== undefined) since.push(s.startMs - req);
        handling.push(s.endMs - s.startMs);
      }
      return {
        stage,
        topic,
        group,
        records: firstSpan.size,
        lagMs: dist(lag),
        sinceRequestMs: dist(since),
        handlingMs: dist(handling),
        lastStartMs: Math.max(...[...firstSpan.values()].map((s) => s.startMs)),
      };
    });
    const firstRequest = Math.min(...requestAt.values());
    const evaluatorRow = rows[rows.length - 1];
    const completed = counts!.joined + counts!.rejected;
    const elapsedS = (evaluatorRow.lastStartMs - firstRequest) / 1000;
    const throughput = completed / elapsedS;
    const loadAfter = loadavg();

    const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');
    console.log(
      `\npipeline: ${completed} requests completed in ${elapsedS.toFixed(1)} s = ${throughput.toFixed(1)} requests/s (offered ${rate}/s)`,
    );
    console.log(
      'stage          records  lag p50  lag p99  since-request p50  p99   handling p50  p99  (ms)',
    );
    for (const r of rows) {
      console.log(
        `${r.stage.padEnd(14)} ${String(r.records).padStart(7)} ${f(r.lagMs.p50).padStart(8)} ${f(r.lagMs.p99).padStart(8)} ${f(r.sinceRequestMs.p50).padStart(18)} ${f(r.sinceRequestMs.p99).padStart(6)} ${f(r.handlingMs.p50).padStart(14)} ${f(r.handlingMs.p99).padStart(5)}`,
      );
    }
    console.log(
      `load average (1 min): ${loadBefore[0].toFixed(1)} before, ${loadAfter[0].toFixed(1)} after, on ${cpus().length} CPUs`,
    );

    const out = {
      benchmark: 'kafka-pipeline',
      bundle: {
        path: bundleDir,
        bundleJsonSha256: createHash('sha256').update(bundleJson).digest('hex'),
        models: Object.fromEntries(Object.entries(bundle.models).map(([k, v]) => [k, v.sha256])),
        seed: bundle.seed,
      },
      dataset: {
        name: bundle.dataset.name,
        manifestHash: bundle.dataset.manifestHash,
        split: 'test',
      },
      provider: bundle.provider,
      broker:
        'librdkafka mock cluster (tools/broker via thoughtspace up), 3 brokers, 3 partitions per topic',
      processes:
        'thoughtspace up: broker, 7 gRPC services, 3 stage workers, streaming evaluator; thoughtspace replay',
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        node: process.version,
        loadAverage1m: { before: loadBefore[0], after: loadAfter[0] },
      },
      offeredRatePerSec: rate,
      requests,
      completed,
      evaluatorCounts: counts,
      elapsedSec: elapsedS,
      throughputPerSec: throughput,
      upMs,
      definitions: {
        lagMs: 'process span start at the stage - Kafka timestamp of the record it consumed',
        sinceRequestMs:
          "process span start at the stage - the rec-request's Kafka timestamp (replay's produce time)",
        handlingMs: "duration of the stage's process span for the record",
        throughput:
          'requests counted by the evaluator / (last evaluator join - first request produced)',
      },
      stages: rows.map(({ lastStartMs: _, ...r }) => r),
      spansReceived: otlp.spans.length,
      command: `npm run bench -- kafka-pipeline --bundle ${bundleDir} --rate ${rate} --requests ${requests}${process.argv.includes('--out') ? ` --out ${arg('out', '')}` : ''}`,
      createdAt: new Date().toISOString(),
    };
    const results = resolve(__dirname, '..', 'results');
    await mkdir(results, { recursive: true });
    const file = resolve(arg('out', join(results, 'kafka-pipeline.json')));
    await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${file}`);
    const svg = await barChart({
      title: `Kafka chain: per-stage lag at ${rate} requests/s offered (${completed} requests)`,
      subtitle: `${bundle.dataset.name}, ${throughput.toFixed(1)} requests/s completed; load average ${loadAfter[0].toFixed(0)} on ${cpus().length} CPUs`,
      yLabel: 'ms',
      seriesLabel: 'measure',
      groups: rows.map((r) => ({
        label: r.stage,
        values: [
          { series: 'lag p50', value: r.lagMs.p50 },
          { series: 'lag p99', value: r.lagMs.p99 },
          { series: 'since request p50', value: r.sinceRequestMs.p50 },
          { series: 'since request p99', value: r.sinceRequestMs.p99 },
        ],
      })),
    });
    const plot = file.replace(/\.json$/, '') + '.svg';
    await writeFile(plot, svg);
    console.log(`wrote ${plot}`);
  } finally {
    down();
    otlp.server.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
