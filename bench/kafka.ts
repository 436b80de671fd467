/**
 * Streaming evaluator throughput from Kafka, beside a bare kafkajs consumer
 * reading the same records in the same run, against librdkafka's mock
 * cluster (tools/broker). Predictions are all-beauty-2018's test split
 * (1 + 9 sampled candidates, Markov-baseline scores), repeated with distinct
 * request ids up to --predictions. Writes bench/results/kafka.json.
 *
 *   npm run bench -- kafka [--predictions 20000]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as readline from 'node:readline';
import { markovScorer } from '@thoughtspace/baselines';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';
import { createStreamingEvaluator } from '@thoughtspace/evaluator';
import {
  EVENT_TYPES,
  TOPICS,
  createConsumer,
  createKafka,
  createProducer,
  eventHeaders,
  interactionCodec,
  predictionCodec,
} from '@thoughtspace/kafka';
import type { Message } from 'kafkajs';

const ROOT = resolve(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function startBroker(topics: string[]): Promise<{ bootstrap: string; stop(): void }> {
  const build = spawnSync('bash', [join(ROOT, 'tools/broker/build.sh')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('tools/broker/build.sh failed');
  const child = spawn(join(ROOT, 'tools/broker/dist/broker'), topics, {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((res) =>
    readline.createInterface({ input: child.stdout }).once('line', res),
  );
  return { bootstrap: first.replace(/^bootstrap /, ''), stop: () => child.kill('SIGKILL') };
}

async function main(): Promise<void> {
  const target = Number(arg('predictions', '20000'));
  const datasetName = 'all-beauty-2018';
  const seed = 7;
  const { dataset, manifest } = await prepareDataset({ dataset: datasetName });
  const loo = leaveOneOut(dataset);
  const set = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    protocol: parseProtocol('sampled:9'),
    seed,
    loo,
  });
  const scorer = markovScorer({
    sequences: sequencesBefore(loo, 'test'),
    numItems: dataset.itemIds.length,
  });
  const base = set.cases.map((c, i) => ({
    userId: dataset.userIds[c.user],
    candidates: Array.from(set.candidates[i].items, (it) => dataset.itemIds[it]),
    scores: Array.from(
      scorer.score({ user: c.user, history: c.history, candidates: set.candidates[i].items }),
    ),
    target: dataset.itemIds[c.target],
  }));
  const predictions: Message[] = [];
  const interactions: Message[] = [];
  for (let rep = 0; predictions.length < target; rep++) {
    for (const c of base) {
      if (predictions.length >= target) break;
      const requestId = `r${rep}-${c.userId}`;
      const userId = `${c.userId}#${rep}`;
      const header = {
        requestId,
        userId,
        producedAtUnixMs: Date.now(),
        datasetManifestHash: manifest.hash,
      };
      predictions.push({
        key: userId,
        value: predictionCodec.encode({
          header,
          prediction: {
            userId,
            candidateItemIds: c.candidates,
            scores: c.scores,
            method: 'markov',
            provider: 'none',
            modelVersion: '',
          },
        }),
        headers: eventHeaders(EVENT_TYPES.prediction, requestId),
      });
      interactions.push({
        key: userId,
        value: interactionCodec.encode({ header, interaction: { itemId: c.target } }),
        headers: eventHeaders(EVENT_TYPES.interaction, requestId),
      });
    }
  }
  const n = predictions.length;
  const broker = await startBroker([
    `${TOPICS.predictions}:3`,
    `${TOPICS.interactions}:3`,
    `${TOPICS.metrics}:1`,
    'thoughtspace.dlq.bench-evaluator.v1:1',
  ]);
  try {
    const kafka = createKafka({
      config: { brokers: broker.bootstrap.split(','), clientId: 'bench', ssl: false },
    });
    const producer = createProducer({ kafka });
    await producer.connect();
    for (let i = 0; i < n; i += 1000) {
      await producer.sendBatch({
        topicMessages: [
          { topic: TOPICS.predictions, messages: predictions.slice(i, i + 1000) },
          { topic: TOPICS.interactions, messages: interactions.slice(i, i + 1000) },
        ],
      });
      process.stderr.write(`\rpublished ${Math.min(i + 1000, n)}/${n} predictions + interactions`);
    }
    process.stderr.write('\n');
    await producer.disconnect();

    // Bare kafkajs: count records (no decoding) from the first record to the last.
    const bare = createConsumer({ kafka, groupId: 'bench-bare' });
    let seen = 0;
    let bareFirst = 0;
    let bareLast = 0;
    await bare.connect();
    await bare.subscribe({
      topics: [TOPICS.predictions, TOPICS.interactions],
      fromBeginning: true,
    });
    const bareDone = new Promise<void>((done) => {
      void bare.run({
        eachBatch: async ({ batch }) => {
          if (!bareFirst) bareFirst = performance.now();
          seen += batch.messages.length;
          if (seen >= 2 * n) {
            bareLast = performance.now();
            done();
          }
        },
      });
    });
    await bareDone;
    await bare.disconnect();
    const bareRate = n / ((bareLast - bareFirst) / 1000);
    console.log(`bare kafkajs: ${bareRate.toFixed(0)} predictions/s (${2 * n} records)`);

    // The streaming evaluator: decode, join, checkpoint, publish metrics.
    const dir = await mkdtemp(join(tmpdir(), 'ts-bench-kafka-'));
    const evaluator = createStreamingEvaluator({
      consumer: createConsumer({ kafka, groupId: 'bench-evaluator' }),
      producer: createProducer({ kafka }),
      groupId: 'bench-evaluator',
      checkpointPath: join(dir, 'checkpoint.json'),
      bootstrap: { seed: 1, resamples: 1000 },
    });
    await evaluator.start();
    let evFirst = 0;
    for (;;) {
      const c = evaluator.snapshot().counters;
      if (!evFirst && c.predictionsRead + c.interactionsRead > 0) evFirst = performance.now();
      if (c.joined >= n) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const evLast = performance.now();
    const reportStarted = performance.now();
    await evaluator.stop(); // final checkpoint and MetricsEvents over every case
    const reportMs = performance.now() - reportStarted;
    const snap = evaluator.snapshot();
    const evRate = n / ((evLast - evFirst) / 1000);
    console.log(`evaluator: ${evRate.toFixed(0)} predictions/s`);
    console.log(
      `stop: final checkpoint + report (1000 bootstrap resamples over ${n} cases): ${reportMs.toFixed(0)} ms`,
    );
    console.log(
      `evaluator / bare: ${((100 * evRate) / bareRate).toFixed(0)}%  (HR@10 ${snap.cumulative?.metrics['HR@10'].mean.toFixed(4)} over ${snap.cumulative?.cases} cases, duplicates ${snap.counters.duplicates})`,
    );
    const out = {
      benchmark: 'kafka-streaming-evaluator',
      dataset: {
        name: datasetName,
        manifestHash: manifest.hash,
        split: 'test',
        protocol: 'sampled:9',
      },
      seeds: { candidates: seed, bootstrap: 1 },
      provider: 'none (Markov baseline scores)',
      broker: 'librdkafka mock cluster (tools/broker), 3 brokers, 3 partitions per topic',
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      predictions: n,
      bareKafkajs: { predictionsPerSec: bareRate, records: 2 * n },
      evaluator: {
        predictionsPerSec: evRate,
        ratioToBare: evRate / bareRate,
        counters: snap.counters,
        checkpointIntervalMs: 500,
        metricsIntervalMs: 2000,
        /** stop(): final checkpoint and the reports over every case, 1000 resamples (not in the rate). */
        stopMs: reportMs,
      },
      command: `npm run bench -- kafka --predictions ${target}`,
      createdAt: new Date().toISOString(),
    };
    const results = resolve(__dirname, '..', 'results');
    await mkdir(results, { recursive: true });
    await writeFile(join(results, 'kafka.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${join(results, 'kafka.json')}`);
  } finally {
    broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
