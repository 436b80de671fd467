import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TOPICS, createConsumer, createKafka, metricsCodec } from '@thoughtspace/kafka';
import type { MetricsEvent } from '@thoughtspace/proto';
import { startBroker, type TestBroker } from './broker';
import {
  assertExactlyOnce,
  publishCases,
  readJsonCheckpoint,
  realCases,
  rewindGroup,
  startEvaluatorProcess,
  waitFor,
  type EvaluatorProcess,
  type RealCases,
} from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
const BROKER_TOPICS = {
  [TOPICS.predictions]: 3,
  [TOPICS.interactions]: 3,
  [TOPICS.metrics]: 1,
  'thoughtspace.dlq.ev.v1': 1,
};

describe('streaming evaluator against the mock cluster', () => {
  let broker: TestBroker | undefined;
  let evaluator: EvaluatorProcess | undefined;
  let data: RealCases;
  let dir: string;

  beforeAll(async () => {
    data = await realCases();
    dir = await mkdtemp(path.join(tmpdir(), 'ts-stream-'));
  });
  afterEach(async () => {
    await evaluator?.kill('SIGKILL');
    await broker?.stop();
    evaluator = broker = undefined;
  });

  const env = (b: TestBroker, checkpoint: string): Record<string, string> => ({
    KAFKA_BROKERS: b.bootstrap,
    EVALUATOR_GROUP_ID: 'ev',
    EVALUATOR_CHECKPOINT: checkpoint,
  });
  const done = (file: string, n: number) =>
    waitFor(
      `${n} joined cases in ${file}`,
      async () => {
        const c = await readJsonCheckpoint(file);
        return c && c.state.counts.joined + c.state.counts.rejected >= n ? c : undefined;
      },
      60_000,
      () => evaluator?.logs().slice(-2000) ?? '',
    );

  it('metrics of the whole test split equal `thoughtspace eval` of the same predictions to the last digit', async () => {
    broker = await startBroker({ topics: BROKER_TOPICS });
    const file = path.join(dir, 'exact.json');
    evaluator = startEvaluatorProcess(env(broker, file));
    await publishCases({ bootstrap: broker.bootstrap, data, chunk: 200 });
    const checkpoint = await done(file, data.cases.length);
    assertExactlyOnce(checkpoint, data);

    // The same predictions through the offline CLI, in the evaluator's canonical (user id) order.
    const sorted = [...data.cases].sort((a, b) =>
      a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0,
    );
    const jsonl = path.join(dir, 'predictions.jsonl');
    await writeFile(
      jsonl,
      sorted
        .map((c) =>
          JSON.stringify({
            user: c.userId,
            candidates: c.candidates,
            scores: c.scores,
            target: c.target,
          }),
        )
        .join('\n') + '\n',
    );
    const out = path.join(dir, 'eval.json');
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'packages/cli/dist/bin.js'),
        'eval',
        '--predictions',
        jsonl,
        '--seed',
        '1',
        '--resamples',
        '1000',
        '--name',
        'markov',
        '--out',
        out,
      ],
      { stdio: 'pipe' },
    );
    const offline = JSON.parse(await readFile(out, 'utf8')) as {
      cases: number;
      metrics: Record<string, { mean: number; low: number; high: number }>;
    };

    // The evaluator's published MetricsEvent for all cases.
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'test-metrics', ssl: false },
    });
    const consumer = createConsumer({ kafka, groupId: 'test-metrics-reader' });
    let last: MetricsEvent | undefined;
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.metrics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const e = metricsCodec.decode(message.value);
        if (e.window === 'cumulative' && e.metrics!.cases === data.cases.length) last = e;
      },
    });
    const streamed = await waitFor('a cumulative MetricsEvent over every case', async () => last);
    await consumer.disconnect();

    expect(streamed.metrics!.cases).toBe(offline.cases);
    const byName = Object.fromEntries(streamed.metrics!.values.map((v) => [v.name, v]));
    for (const [name, m] of Object.entries(offline.metrics)) {
      const s = byName[name.toLowerCase()];
      expect([name, s.mean, s.ciLow, s.ciHigh]).toEqual([name, m.mean, m.low, m.high]);
    }
    expect(streamed.counters).toMatchObject({
      joined: data.cases.length,
      duplicates: 0,
      expired: 0,
      buffered: 0,
    });
  });

  it('SIGKILL mid-stream, group rewound, restart: every request counted once', async () => {
    broker = await startBroker({ topics: BROKER_TOPICS });
    const file = path.join(dir, 'killed.json');
    evaluator = startEvaluatorProcess(env(broker, file));
    const b = broker;
    let killed = false;
    await publishCases({
      bootstrap: b.bootstrap,
      data,
      chunk: 100,
      between: async (k) => {
        if (k !== 4) return;
        // Kill once the evaluator has checkpointed part of the stream, then restart it.
        await waitFor(
          'a first checkpoint',
          async () => ((await readJsonCheckpoint(file))?.state.counts.joined ?? 0) > 0 || undefined,
        );
        await evaluator!.kill('SIGKILL');
        killed = true;
        // The worst case of "committed offset behind the checkpoint": rewind
        // the group to the beginning (once the dead member has left it), so
        // the restarted evaluator re-reads everything it already counted.
        await rewindGroup({
          brokers: b.brokers,
          groupId: 'ev',
          topics: { [TOPICS.predictions]: 3, [TOPICS.interactions]: 3 },
        });
        evaluator = startEvaluatorProcess(env(b, file));
      },
    });
    expect(killed).toBe(true);
    const checkpoint = await done(file, data.cases.length);
    assertExactlyOnce(checkpoint, data);
    // The re-read records were recognised, not counted again.
    expect(checkpoint.state.counts.duplicates).toBeGreaterThan(0);
  });
});
