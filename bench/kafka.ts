/**
 * Streaming evaluator throughput from Kafka, beside a bare kafkajs consumer
 * reading the same records in the same run, against librdkafka's mock
 * cluster (tools/broker). Predictions are all-beauty-2018's test split
 * (1 + 9 sampled candidates, Markov-baseline scores), repeated with distinct
 * request ids up to --predictions. Writes bench/results/kafka.json.
 *
 * Rounds (--rounds, default 3) alternate the two readers on fresh consumer
 * groups; the ratio is the median of the rounds' ratios, and each phase's
 * CPU time is recorded beside its wall-clock rate (the machine is shared).
 *
 *   npm run bench -- kafka [--predictions 20000] [--rounds 3] [--out bench/results/kafka.json]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
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
import type { Kafka, Message } from 'kafkajs';
import type { StreamCounts } from '@thoughtspace/evaluator';
import { arg } from './lib/args';
import { median } from './lib/stats';

const ROOT = resolve(__dirname, '..', '..');

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

interface Phase {
  /** Predictions per second, first record read to the last one handled. */
  rate: number;
  /** CPU time of the process (all threads) over the same interval. */
  cpuMs: number;
}
interface EvaluatorPhase extends Phase {
  counters: StreamCounts & { buffered: number };
  stopMs: number;
  hr10?: number;
  cases?: number;
  /** MetricsEvent reports (bootstrap CIs) published while the rate was measured. */
  reportsInWindow: number;
}
interface Round {
  round: number;
  bare: Phase;
  evaluator: EvaluatorPhase;
  ratio: number;
}

/** A phase that reads nothing new for this long has stalled (the bench fails, naming the count). */
const STALL_MS = 60_000;

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

/** A bare kafkajs consumer: counts records (no decoding) from the first record to the last. */
async function bareRound(kafka: Kafka, n: number, round: number): Promise<Phase> {
  const bare = createConsumer({ kafka, groupId: `bench-bare-${round}` });
  let seen = 0;
  let first = 0;
  let last = 0;
  let cpu = process.cpuUsage();
  let cpuMs = 0;
  await bare.connect();
  await bare.subscribe({ topics: [TOPICS.predictions, TOPICS.interactions], fromBeginning: true });
  let lastGrowth = Date.now();
  const stall = setInterval(() => {
    if (Date.now() - lastGrowth > STALL_MS) {
      console.error(`bare consumer round ${round}: stalled at ${seen} of ${2 * n} records`);
      process.exit(1);
    }
  }, 1000);
  await new Promise<void>((done) => {
    void bare.run({
      eachBatch: async ({ batch }) => {
        if (!first) {
          first = performance.now();
          cpu = process.cpuUsage();
        }
        seen += batch.messages.length;
        lastGrowth = Date.now();
        if (seen >= 2 * n && !last) {
          last = performance.now();
          cpuMs = cpuMsSince(cpu);
          done();
        }
      },
    });
  });
  clearInterval(stall);
  await bare.disconnect();
  return { rate: n / ((last - first) / 1000), cpuMs };
}

/** The streaming evaluator: decode, join, checkpoint, publish metrics. */
async function evaluatorRound(kafka: Kafka, n: number, round: number): Promise<EvaluatorPhase> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-bench-kafka-'));
  const groupId = `bench-evaluator-${round}`;
  const evaluator = createStreamingEvaluator({
    consumer: createConsumer({ kafka, groupId }),
    producer: createProducer({ kafka }),
    groupId,
    topics: { deadLetter: 'thoughtspace.dlq.bench-evaluator.v1' },
    checkpointPath: join(dir, 'checkpoint.json'),
    bootstrap: { seed: 1, resamples: 1000 },
    onReport: () => {
      if (first && !measured) reportsInWindow++;
    },
  });
  let reportsInWindow = 0;
  let measured = false;
  await evaluator.start();
  let first = 0;
  let cpu = process.cpuUsage();
  let read = 0;
  let lastGrowth = Date.now();
  for (;;) {
    const c = evaluator.snapshot().counters;
    if (c.predictionsRead + c.interactionsRead > read) {
      read = c.predictionsRead + c.interactionsRead;
      lastGrowth = Date.now();
    } else if (Date.now() - lastGrowth > STALL_MS) {
      throw new Error(`evaluator round ${round}: stalled at ${read} of ${2 * n} records read`);
    }
    if (!first && c.predictionsRead + c.interactionsRead > 0) {
      first = performance.now();
      cpu = process.cpuUsage();
    }
    if (c.joined >= n) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const last = performance.now();
  const cpuMs = cpuMsSince(cpu);
  measured = true;
  const stopStarted = performance.now();
  await evaluator.stop(); // final checkpoint and MetricsEvents over every case
  const stopMs = performance.now() - stopStarted;
  const snap = evaluator.snapshot();
  await rm(dir, { recursive: true, force: true });
  return {
    rate: n / ((last - first) / 1000),
    cpuMs,
    counters: snap.counters,
    stopMs,
    hr10: snap.cumulative?.metrics['HR@10'].mean,
    cases: snap.cumulative?.cases,
    reportsInWindow,
  };
}

async function main(): Promise<void> {
  const target = Number(arg('predictions', '20000'));
  const roundsWanted = Number(arg('rounds', '3'));
  for (const [name, v] of Object.entries({ predictions: target, rounds: roundsWanted })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  }
  const loadBefore = loadavg();
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

    // Rounds alternate the bare consumer and the evaluator, each on a fresh
    // consumer group over the same records, so a change in the machine's
    // load hits both; wall-clock rates and CPU time (the process's, the
    // report worker thread included) are recorded per phase.
    const rounds: Round[] = [];
    for (let r = 1; r <= roundsWanted; r++) {
      const bare = await bareRound(kafka, n, r);
      const ev = await evaluatorRound(kafka, n, r);
      const round: Round = { round: r, bare, evaluator: ev, ratio: ev.rate / bare.rate };
      rounds.push(round);
      console.log(
        `round ${r}: bare kafkajs ${bare.rate.toFixed(0)}/s (${bare.cpuMs.toFixed(0)} ms CPU), ` +
          `evaluator ${ev.rate.toFixed(0)}/s (${ev.cpuMs.toFixed(0)} ms CPU, ${ev.reportsInWindow} reports), ${(100 * round.ratio).toFixed(0)}%, ` +
          `load ${loadavg()[0].toFixed(1)}`,
      );
    }
    const bareRate = median(rounds.map((x) => x.bare.rate));
    const evRate = median(rounds.map((x) => x.evaluator.rate));
    const ratio = median(rounds.map((x) => x.ratio));
    const bareCpu = median(rounds.map((x) => x.bare.cpuMs));
    const evCpu = median(rounds.map((x) => x.evaluator.cpuMs));
    const last = rounds[rounds.length - 1].evaluator;
    const loadAfter = loadavg();
    console.log(
      `bare kafkajs: ${bareRate.toFixed(0)} predictions/s (median of ${rounds.length} rounds)`,
    );
    console.log(`evaluator: ${evRate.toFixed(0)} predictions/s`);
    console.log(
      `evaluator / bare: ${(100 * ratio).toFixed(0)}% (median of the rounds' ratios); CPU per 1,000 predictions: bare ${((1000 * bareCpu) / n).toFixed(1)} ms, evaluator ${((1000 * evCpu) / n).toFixed(1)} ms`,
    );
    console.log(
      `stop: final checkpoint + report (1000 bootstrap resamples over ${n} cases): ${last.stopMs.toFixed(0)} ms; HR@10 ${last.hr10?.toFixed(4)} over ${last.cases} cases, duplicates ${last.counters.duplicates}`,
    );
    console.log(
      `load average (1 min): ${loadBefore[0].toFixed(1)} before, ${loadAfter[0].toFixed(1)} after, on ${cpus().length} CPUs`,
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
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        node: process.version,
        loadAverage1m: { before: loadBefore[0], after: loadAfter[0] },
      },
      predictions: n,
      rounds: rounds.length,
      bareKafkajs: {
        predictionsPerSec: bareRate,
        records: 2 * n,
        cpuMsPer1000: (1000 * bareCpu) / n,
      },
      evaluator: {
        predictionsPerSec: evRate,
        /** Median over the rounds of evaluator rate / bare rate in the same round. */
        ratioToBare: ratio,
        cpuMsPer1000: (1000 * evCpu) / n,
        counters: last.counters,
        checkpointIntervalMs: 500,
        metricsIntervalMs: 2000,
        reportsOnWorker: true,
        /** stop(): final checkpoint and the reports over every case, 1000 resamples (not in the rate). */
        stopMs: last.stopMs,
      },
      perRound: rounds,
      command: `npm run bench -- kafka --predictions ${target} --rounds ${roundsWanted}${process.argv.includes('--out') ? ` --out ${arg('out', '')}` : ''}`,
      createdAt: new Date().toISOString(),
    };
    const results = resolve(__dirname, '..', 'results');
    await mkdir(results, { recursive: true });
    const file = arg('out', join(results, 'kafka.json'));
    await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${file}`);
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
