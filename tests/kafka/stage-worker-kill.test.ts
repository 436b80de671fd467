import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  createCandidateDomain,
  saveSasrec,
  SasrecModel,
  trainSasrec,
  validateConfig,
} from '@thoughtspace/candidate-gen';
import { leaveOneOut, parseProtocol, prepareDataset, sequencesBefore } from '@thoughtspace/data';
import {
  EVENT_TYPES,
  TOPICS,
  candidatesCodec,
  createConsumer,
  createKafka,
  createProducer,
  deadLetterTopic,
  eventHeaders,
  recRequestCodec,
} from '@thoughtspace/kafka';
import type { CandidatesEvent } from '@thoughtspace/proto';
import type { Consumer, Message } from 'kafkajs';
import { startBroker, type TestBroker } from './broker';
import { waitFor } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
const WORKER_MAIN = path.join(ROOT, 'services/stage-worker/dist/main.js');
const GROUP = 'candidate-gen';
const K = 10;

interface Request {
  requestId: string;
  userId: string;
  history: string[];
}

interface WorkerProcess {
  child: ChildProcess;
  logs(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      WORKER_STAGE: 'candidate-gen',
      WORKER_CONCURRENCY: '2',
      WORKER_SESSION_TIMEOUT_MS: '4000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs: () => logs, exit };
}

/**
 * The candidate-gen stage worker as its own process (services/stage-worker,
 * a real SASRec trained here on all-beauty-2018, run by onnxruntime) over the
 * mock cluster: SIGKILLed mid-stream and restarted, then stopped with
 * SIGTERM and restarted. Every request's CandidatesEvent is counted once by
 * request id (the downstream rule) and must equal what the same model gives
 * in-process: requests in = outputs counted, 0 lost, 0 counted twice.
 */
describe('stage worker process: SIGKILL mid-stream and restart, SIGTERM drains', () => {
  let broker: TestBroker;
  let modelDir: string;
  let requests: Request[];
  let expected: Map<string, string[]>;
  let reader: Consumer;
  const seen = new Map<string, CandidatesEvent>();
  const deliveries = new Map<string, number>();
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    const { dataset, manifest, name } = await prepareDataset({ dataset: 'all-beauty-2018' });
    const loo = leaveOneOut(dataset);
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config: validateConfig({
        maxLen: 20,
        hidden: 16,
        epochs: 1,
        evalEvery: 1,
        patience: 0,
        seed: 5,
      }),
      validProtocol: parseProtocol('sampled:9'),
      silent: true,
    });
    modelDir = await mkdtemp(path.join(tmpdir(), 'ts-stage-kill-'));
    await saveSasrec(modelDir, trained, {
      datasetName: name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: sequencesBefore(loo, 'valid'),
    });
    await trained.trainer.dispose();
    requests = loo.test.slice(0, 400).map((c) => ({
      requestId: `req-${dataset.userIds[c.user]}`,
      userId: dataset.userIds[c.user],
      history: Array.from(c.history, (i) => dataset.itemIds[i]),
    }));
    const model = await SasrecModel.load(modelDir, { threads: 1 });
    const domain = createCandidateDomain({ model });
    expected = new Map();
    for (const r of requests) {
      const items = await domain.generate({ history: r.history, k: K });
      expected.set(
        r.requestId,
        items.map((i) => i.itemId),
      );
    }
    await model.dispose();

    broker = await startBroker({
      topics: { [TOPICS.recRequests]: 2, [TOPICS.candidates]: 2, [deadLetterTopic(GROUP)]: 1 },
    });
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'test-reader', ssl: false },
    });
    reader = createConsumer({ kafka, groupId: 'test-reader' });
    await reader.connect();
    await reader.subscribe({ topics: [TOPICS.candidates], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const e = candidatesCodec.decode(message.value);
        const id = e.header!.requestId;
        deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
        if (!seen.has(id)) seen.set(id, e);
      },
    });
  }, 300_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await reader?.disconnect();
    await broker?.stop();
  });

  const publish = async (part: Request[]): Promise<void> => {
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'test-replay', ssl: false },
    });
    const producer = createProducer({ kafka });
    await producer.connect();
    const messages: Message[] = part.map((r) => ({
      key: r.userId,
      value: recRequestCodec.encode({
        header: {
          requestId: r.requestId,
          userId: r.userId,
          producedAtUnixMs: Date.now(),
          datasetManifestHash: '',
        },
        history: { userId: r.userId, interactions: r.history.map((itemId) => ({ itemId })) },
        k: K,
        candidateItemIds: [],
        deadlineUnixMs: 0,
        method: '',
      }),
      headers: eventHeaders(EVENT_TYPES.recRequest, r.requestId),
    }));
    await producer.send({ topic: TOPICS.recRequests, messages });
    await producer.disconnect();
  };

  const ready = (w: WorkerProcess) =>
    waitFor(
      'the worker to be ready',
      async () => (w.logs().includes('"ready"') ? true : undefined),
      60_000,
      w.logs,
    );

  test('requests in = candidates counted once each, 0 lost, equal to the in-process model', async () => {
    const env = { KAFKA_BROKERS: broker.bootstrap, MODEL_DIR: modelDir };
    const first = startWorker(env);
    workers.push(first);
    await ready(first);
    // Feed in small chunks and SIGKILL while the feed goes on, so the kill
    // lands mid-stream; the rest arrives while no worker runs and the
    // restarted one resumes at the committed offsets.
    const feeding = (async () => {
      // ~3 s of feed at 100 requests/s, so even a fast machine is mid-stream at the kill.
      for (let i = 0; i < 300; i += 20) {
        await publish(requests.slice(i, i + 20));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await waitFor('some outputs before the kill', async () => (seen.size >= 60 ? true : undefined));
    first.child.kill('SIGKILL');
    const killed = await first.exit;
    expect(killed.signal).toBe('SIGKILL');
    const atKill = seen.size;
    await feeding;
    expect(atKill).toBeLessThan(300);

    const second = startWorker(env);
    workers.push(second);
    await ready(second);
    await waitFor(
      '300 distinct outputs',
      async () => (seen.size >= 300 ? true : undefined),
      60_000,
      () => `${seen.size} of 300`,
    );

    // SIGTERM mid-stream: the in-flight chunk finishes, is produced and committed; exit 0.
    await publish(requests.slice(300));
    second.child.kill('SIGTERM');
    const stopped = await second.exit;
    expect(stopped.code).toBe(0);
    expect(second.logs()).toContain('"stopped"');
    const deliveredAtStop = new Map(deliveries);

    const third = startWorker(env);
    workers.push(third);
    await ready(third);
    await waitFor(
      `${requests.length} distinct outputs`,
      async () => (seen.size >= requests.length ? true : undefined),
      60_000,
      () => `${seen.size} of ${requests.length}`,
    );
    await new Promise((r) => setTimeout(r, 1500)); // late redeliveries would show here
    third.child.kill('SIGTERM');
    expect((await third.exit).code).toBe(0);

    // 0 lost, 0 extra, and each output is the model's answer for that request.
    expect([...seen.keys()].sort()).toEqual(requests.map((r) => r.requestId).sort());
    for (const r of requests) {
      const e = seen.get(r.requestId)!;
      expect(e.header!.userId).toBe(r.userId);
      expect(e.candidates!.candidates.map((c) => c.itemId)).toEqual(expected.get(r.requestId));
    }
    // A graceful stop committed what it produced: nothing delivered before
    // SIGTERM was delivered again after the restart.
    const redeliveredAfterTerm = [...deliveredAtStop.keys()].filter(
      (id) => deliveries.get(id)! > deliveredAtStop.get(id)!,
    );
    expect(redeliveredAfterTerm).toEqual([]);
    const duplicates = [...deliveries.values()].reduce((a, n) => a + n - 1, 0);
    process.stderr.write(
      `stage-worker kill: ${requests.length} requests, ${atKill} outputs before SIGKILL, ` +
        `${duplicates} redelivered (recognised by request id), 0 lost\n`,
    );
  }, 240_000);
});
