import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  buildEvaluationSet,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
  leaveOneOut,
} from '@thoughtspace/data';
import { markovScorer } from '@thoughtspace/baselines';
import { rankOfTarget } from '@thoughtspace/metrics';
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
import type { Checkpoint } from '@thoughtspace/evaluator';
import type { Message } from 'kafkajs';

const ROOT = path.resolve(__dirname, '../..');
export const EVALUATOR_MAIN = path.join(ROOT, 'services/evaluator/dist/streaming/main.js');

/** One test-split case of a real dataset, scored by a real (Markov) baseline. */
export interface StreamCase {
  requestId: string;
  userId: string;
  candidates: string[];
  scores: number[];
  target: string;
  rank: number;
}

export interface RealCases {
  dataset: string;
  manifestHash: string;
  protocol: string;
  seed: number;
  cases: StreamCase[];
}

/** all-beauty-2018's test split, 1 + 9 sampled candidates, Markov-chain scores. */
export async function realCases(limit?: number): Promise<RealCases> {
  const { dataset, manifest, name } = await prepareDataset({ dataset: 'all-beauty-2018' });
  const loo = leaveOneOut(dataset);
  const protocol = parseProtocol('sampled:9');
  const seed = 7;
  const set = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    protocol,
    seed,
    loo,
  });
  const scorer = markovScorer({
    sequences: sequencesBefore(loo, 'test'),
    numItems: dataset.itemIds.length,
  });
  const n = Math.min(limit ?? set.cases.length, set.cases.length);
  const cases: StreamCase[] = [];
  for (let i = 0; i < n; i++) {
    const c = set.cases[i];
    const { items, targetIndex } = set.candidates[i];
    const scores = Array.from(
      scorer.score({ user: c.user, history: c.history, candidates: items }),
    );
    const userId = dataset.userIds[c.user];
    cases.push({
      requestId: `req-${userId}`,
      userId,
      candidates: Array.from(items, (it) => dataset.itemIds[it]),
      scores,
      target: dataset.itemIds[c.target],
      rank: rankOfTarget(scores, targetIndex),
    });
  }
  return { dataset: name, manifestHash: manifest.hash, protocol: 'sampled:9', seed, cases };
}

export function predictionRecord(c: StreamCase, manifestHash: string): Message {
  return {
    key: c.userId,
    value: predictionCodec.encode({
      header: {
        requestId: c.requestId,
        userId: c.userId,
        producedAtUnixMs: Date.now(),
        datasetManifestHash: manifestHash,
      },
      prediction: {
        userId: c.userId,
        candidateItemIds: c.candidates,
        scores: c.scores,
        method: 'markov',
        provider: 'none',
        modelVersion: '',
      },
    }),
    headers: eventHeaders(EVENT_TYPES.prediction, c.requestId),
  };
}

export function interactionRecord(c: StreamCase, manifestHash: string): Message {
  return {
    key: c.userId,
    value: interactionCodec.encode({
      header: {
        requestId: c.requestId,
        userId: c.userId,
        producedAtUnixMs: Date.now(),
        datasetManifestHash: manifestHash,
      },
      interaction: { itemId: c.target },
    }),
    headers: eventHeaders(EVENT_TYPES.interaction, c.requestId),
  };
}

/**
 * Publish every case's prediction and ground truth, in chunks, ground truth
 * first for every third case (either half may arrive first). `between` runs
 * after each chunk (inject faults mid-stream).
 */
export async function publishCases(options: {
  bootstrap: string;
  data: RealCases;
  chunk?: number;
  between?: (chunkIndex: number) => Promise<void>;
}): Promise<void> {
  const kafka = createKafka({
    config: { brokers: options.bootstrap.split(','), clientId: 'test-replay', ssl: false },
  });
  const producer = createProducer({ kafka });
  await producer.connect();
  try {
    const size = options.chunk ?? 50;
    const { cases, manifestHash } = options.data;
    for (let start = 0, k = 0; start < cases.length; start += size, k++) {
      const part = cases.slice(start, start + size);
      const early = part.filter((_, i) => (start + i) % 3 === 0);
      await producer.sendBatch({
        topicMessages: [
          {
            topic: TOPICS.interactions,
            messages: early.map((c) => interactionRecord(c, manifestHash)),
          },
          {
            topic: TOPICS.predictions,
            messages: part.map((c) => predictionRecord(c, manifestHash)),
          },
        ],
      });
      const late = part.filter((_, i) => (start + i) % 3 !== 0);
      await producer.send({
        topic: TOPICS.interactions,
        messages: late.map((c) => interactionRecord(c, manifestHash)),
      });
      await options.between?.(k);
    }
  } finally {
    await producer.disconnect();
  }
}

export interface EvaluatorProcess {
  child: ChildProcess;
  /** stderr so far (JSON log lines). */
  logs(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function startEvaluatorProcess(env: Record<string, string>): EvaluatorProcess {
  const child = spawn(process.execPath, [EVALUATOR_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      EVALUATOR_SESSION_TIMEOUT_MS: '6000',
      EVALUATOR_CHECKPOINT_INTERVAL_MS: '200',
      EVALUATOR_METRICS_INTERVAL_MS: '500',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    logs: () => logs,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function readJsonCheckpoint(file: string): Promise<Checkpoint | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Checkpoint;
  } catch {
    return undefined;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  describe?: () => string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${describe ? `: ${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * "requests in = predictions counted, 0 lost, 0 counted twice": every
 * published request id is counted exactly once, with the rank computed
 * offline for it.
 */
export function assertExactlyOnce(checkpoint: Checkpoint, data: RealCases): void {
  const ids = checkpoint.state.done.map(([id]) => id);
  const counted = new Set(ids);
  const sent = new Map(data.cases.map((c) => [c.requestId, c.rank]));
  const lost = [...sent.keys()].filter((id) => !counted.has(id));
  const twice = ids.length - counted.size;
  const unknown = ids.filter((id) => !sent.has(id));
  expect({
    requests: sent.size,
    counted: counted.size,
    lost: lost.length,
    twice,
    unknown: unknown.length,
  }).toEqual({
    requests: data.cases.length,
    counted: data.cases.length,
    lost: 0,
    twice: 0,
    unknown: 0,
  });
  expect(checkpoint.state.counts.joined).toBe(data.cases.length);
  for (const [id, , rank] of checkpoint.state.done) expect([id, rank]).toEqual([id, sent.get(id)]);
}

/**
 * Commit offset 0 on every partition of `topics` for `groupId`, by joining
 * the group (the mock cluster has no DescribeGroups, so kafkajs's admin
 * setOffsets cannot be used). Joining waits for a dead member to be evicted.
 */
export async function rewindGroup(options: {
  brokers: string[];
  groupId: string;
  topics: Record<string, number>;
}): Promise<void> {
  const kafka = createKafka({
    config: { brokers: options.brokers, clientId: 'test-rewind', ssl: false },
  });
  const consumer = createConsumer({ kafka, groupId: options.groupId, sessionTimeoutMs: 6000 });
  let joined!: () => void;
  const join = new Promise<void>((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  await consumer.subscribe({ topics: Object.keys(options.topics), fromBeginning: true });
  // Never resolves offsets or commits on its own: only the rewind below is committed.
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
  await join;
  await consumer.commitOffsets(
    Object.entries(options.topics).flatMap(([topic, n]) =>
      Array.from({ length: n }, (_, partition) => ({ topic, partition, offset: '0' })),
    ),
  );
  await consumer.disconnect();
}
