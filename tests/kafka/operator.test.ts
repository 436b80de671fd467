import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TOPICS, deadLetterTopic } from '@thoughtspace/kafka';
import { formatInterval, reportFromRanks } from '@thoughtspace/metrics';
import { startBroker, type TestBroker } from './broker';
import {
  publishCases,
  realCases,
  startEvaluatorProcess,
  waitFor,
  type EvaluatorProcess,
} from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'packages/cli/bin/thoughtspace.js');
const KCAT = '/usr/bin/kcat';
const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** kcat (a client the project did not write) reads a whole topic: one line per record. */
function kcatRead(bootstrap: string, topic: string, format: string): string[] {
  const out = execFileSync(KCAT, ['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-f', format], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.length > 0);
}

describe('operator commands: thoughtspace replay and thoughtspace metrics', () => {
  let broker: TestBroker;
  let evaluator: EvaluatorProcess | undefined;

  beforeAll(async () => {
    broker = await startBroker({
      topics: {
        [TOPICS.recRequests]: 2,
        [TOPICS.interactions]: 2,
        [TOPICS.predictions]: 2,
        [TOPICS.metrics]: 1,
        [deadLetterTopic('ev')]: 1,
      },
    });
  });
  afterAll(async () => {
    await evaluator?.kill('SIGKILL');
    await broker?.stop();
  });

  it('replay publishes each request and its ground truth at the rate, one trace per request, with progress', async () => {
    const { stdout, stderr } = await run(process.execPath, [
      CLI,
      'replay',
      '--dataset',
      'all-beauty-2018',
      '--split',
      'test',
      '--limit',
      '300',
      '--rate',
      '150',
      '--brokers',
      broker.bootstrap,
    ]);
    expect(stdout).toMatch(/^replayed 300 of 300 requests and their ground truth in [\d.]+s/m);
    const progress = stderr
      .split('\n')
      .filter((l) => l.startsWith('replay: ') && l.includes('/s, elapsed'));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[progress.length - 1]).toMatch(
      /^replay: 300\/300 requests \(100\.0%\), [\d.]+\/s, elapsed [\d.]+s, eta 0\.0s$/,
    );
    // 300 at 150/s takes about two seconds: the rate is held, not exceeded.
    const rate = Number(/\(([\d.]+)\/s\)/.exec(stdout)![1]);
    expect(rate).toBeGreaterThan(100);
    expect(rate).toBeLessThanOrEqual(160);

    const header = (line: string, name: string) =>
      new RegExp(`(?:^|,)${name}=([^,]*)`).exec(line)?.[1];
    const requests = kcatRead(broker.bootstrap, TOPICS.recRequests, '%k|%h\n');
    const truths = kcatRead(broker.bootstrap, TOPICS.interactions, '%k|%h\n');
    expect(requests).toHaveLength(300);
    expect(truths).toHaveLength(300);
    const traceOf = new Map<string, string>();
    for (const line of requests) {
      const [key, headers] = line.split('|');
      const id = header(headers, 'request-id')!;
      expect(id).toBe(`req-test-${key}`);
      expect(header(headers, 'event-type')).toBe('thoughtspace.v1.RecRequestEvent');
      const tp = header(headers, 'traceparent');
      expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      traceOf.set(id, tp!.split('-')[1]);
    }
    expect(new Set(traceOf.values()).size).toBe(300);
    for (const line of truths) {
      const headers = line.split('|')[1];
      const id = header(headers, 'request-id')!;
      // The ground truth travels in its request's trace.
      expect(header(headers, 'traceparent')?.split('-')[1]).toBe(traceOf.get(id));
    }
  });

  it('metrics prints the live table from the metrics topic and from GetMetrics, equal to the offline report to the digit; /metrics has the stream gauges', async () => {
    const data = await realCases(400);
    const dir = await mkdtemp(path.join(tmpdir(), 'ts-metrics-cli-'));
    const [grpcPort, metricsPort] = [await freePort(), await freePort()];
    // The streaming evaluator serving the evaluator's gRPC API and Prometheus too.
    evaluator = startEvaluatorProcess({
      KAFKA_BROKERS: broker.bootstrap,
      EVALUATOR_GROUP_ID: 'ev',
      EVALUATOR_CHECKPOINT: path.join(dir, 'checkpoint.json'),
      EVALUATOR_SPLIT: 'test',
      EVALUATOR_PROTOCOL: 'sampled:9',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      METRICS_PORT: String(metricsPort),
    });
    await publishCases({ bootstrap: broker.bootstrap, data });
    // The replay test's 300 ground truths (other request ids) wait unmatched in the buffer.
    const table = await waitFor(
      'a metrics table with every case joined',
      async () => {
        const r = await run(process.execPath, [
          CLI,
          'metrics',
          '--brokers',
          broker.bootstrap,
          '--timeout',
          '20',
        ]).catch(() => undefined);
        return r && r.stdout.includes(`joined ${data.cases.length},`) ? r.stdout : undefined;
      },
      60_000,
      () => evaluator?.logs().slice(-1500) ?? '',
    );
    // The evaluator reports its cases in canonical (user id) order (decision 0011).
    const sorted = [...data.cases].sort((a, b) =>
      a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0,
    );
    const report = reportFromRanks(
      sorted.map((c) => c.rank),
      { seed: 1, resamples: 1000 },
    );
    const row = table.split('\n').find((l) => l.startsWith('cumulative'))!;
    expect(row).toBeDefined();
    const cells = row.trim().split(/\s{2,}/);
    expect(cells.slice(0, 3)).toEqual(['cumulative', 'markov', String(data.cases.length)]);
    expect(cells.slice(3)).toEqual(
      (['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR'] as const).map((m) =>
        formatInterval(report.metrics[m]),
      ),
    );
    expect(table).toMatch(/duplicates 0, expired 0, rejected 0, buffered 300/);

    // The same row from the evaluator's GetMetrics (gRPC).
    const viaGrpc = (
      await run(process.execPath, [CLI, 'metrics', '--evaluator', `127.0.0.1:${grpcPort}`])
    ).stdout;
    const grpcRow = viaGrpc.split('\n').find((l) => l.startsWith('cumulative'))!;
    expect(grpcRow.trim().split(/\s{2,}/)).toEqual(cells);

    // Prometheus: the stream's gauges beside the RPC histograms.
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(
      new RegExp(`thoughtspace_stream_records\\{kind="joined"[^}]*\\} ${data.cases.length}\n`),
    );
    const gauge = (labels: string[]) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('thoughtspace_stream_metric{'))
        .find((l) => labels.every((x) => l.includes(x)))
        ?.split(' ')
        .pop();
    for (const m of ['MRR', 'NDCG@10'] as const) {
      const at = ['window="cumulative"', 'method="markov"', `metric="${m}"`];
      expect(Number(gauge([...at, 'stat="mean"']))).toBe(report.metrics[m].mean);
      expect(Number(gauge([...at, 'stat="ci_low"']))).toBe(report.metrics[m].low);
    }
    expect(text).toMatch(/grpc_server_handling_seconds_count\{[^}]*grpc_method="GetMetrics"/);
  });
});
