import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { markovScorer, type CandidateScorer } from '@thoughtspace/baselines';
import { leaveOneOut, prepareDataset, sequencesBefore } from '@thoughtspace/data';
import {
  TOPICS,
  createConsumer,
  createIdempotenceStore,
  createKafka,
  createProducer,
  createStageWorker,
  deadLetterTopic,
  predictionCodec,
  recRequestCodec,
  InvalidEventError,
  type StageWorker,
} from '@thoughtspace/kafka';
import type { PredictionEvent, RecRequestEvent } from '@thoughtspace/proto';
import { startBroker, type TestBroker } from './broker';
import { waitFor } from './fixtures';

const KCAT = '/usr/bin/kcat';
const GROUP = 'markov-scorer';
const DLQ = deadLetterTopic(GROUP);

/**
 * A real stage on the generic worker: rec-requests -> predictions, scored by
 * the project's Markov baseline fitted on all-beauty-2018 (the pipeline's
 * candidate-gen / tot-selector / scorer stages plug into the same loop).
 */
async function markovStage(): Promise<{
  scorer: CandidateScorer;
  index: Map<string, number>;
  user: { id: string; history: string[]; candidates: string[] };
}> {
  const { dataset } = await prepareDataset({ dataset: 'all-beauty-2018' });
  const loo = leaveOneOut(dataset);
  const fit = sequencesBefore(loo, 'test');
  const scorer = markovScorer({ sequences: fit, numItems: dataset.itemIds.length });
  const index = new Map(dataset.itemIds.map((id, i) => [id, i]));
  const c = loo.test[0];
  return {
    scorer,
    index,
    user: {
      id: dataset.userIds[c.user],
      history: Array.from(c.history, (i) => dataset.itemIds[i]),
      candidates: [dataset.itemIds[c.target], ...dataset.itemIds.slice(0, 9)].filter(
        (v, i, a) => a.indexOf(v) === i,
      ),
    },
  };
}

describe('stage worker on the mock cluster, driven by kcat (a client the project did not write)', () => {
  let broker: TestBroker;
  let worker: StageWorker;
  let stage: Awaited<ReturnType<typeof markovStage>>;
  let dir: string;

  beforeAll(async () => {
    stage = await markovStage();
    dir = await mkdtemp(path.join(tmpdir(), 'ts-kcat-'));
    broker = await startBroker({
      topics: { [TOPICS.recRequests]: 2, [TOPICS.predictions]: 2, [DLQ]: 1 },
    });
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'markov-stage', ssl: false },
    });
    const toIndices = (ids: string[], field: string): Int32Array =>
      Int32Array.from(ids, (id, i) => {
        const v = stage.index.get(id);
        if (v === undefined)
          throw new InvalidEventError(`${field}[${i}]: unknown item id "${id.slice(0, 40)}"`);
        return v;
      });
    worker = createStageWorker<RecRequestEvent, PredictionEvent>({
      name: 'markov-scorer',
      consumer: createConsumer({ kafka, groupId: GROUP }),
      producer: createProducer({ kafka }),
      groupId: GROUP,
      input: { topic: TOPICS.recRequests, codec: recRequestCodec },
      output: { topic: TOPICS.predictions, codec: predictionCodec },
      idempotence: createIdempotenceStore({ capacity: 10_000 }),
      concurrency: 4,
      handle: async (e) => {
        const history = toIndices(
          e.history!.interactions.map((i) => i.itemId),
          'history',
        );
        const candidates = toIndices(e.candidateItemIds, 'candidate_item_ids');
        const scores = stage.scorer.score({ user: -1, history, candidates });
        return {
          header: { ...e.header!, producedAtUnixMs: Date.now() },
          prediction: {
            userId: e.header!.userId,
            candidateItemIds: e.candidateItemIds,
            scores: Array.from(scores),
            method: 'markov',
            provider: 'none',
            modelVersion: '',
          },
        };
      },
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await broker?.stop();
  });

  const kcat = (args: string[], input?: Buffer): Buffer =>
    execFileSync(KCAT, ['-b', broker.bootstrap, ...args], {
      input,
      timeout: 30_000,
      maxBuffer: 1 << 24,
    });

  it('kcat publishes a request and a garbage record; kcat reads the prediction and the dead letter', async () => {
    const request = recRequestCodec.encode({
      header: {
        requestId: 'kcat-1',
        userId: stage.user.id,
        producedAtUnixMs: Date.now(),
        datasetManifestHash: '',
      },
      history: {
        userId: stage.user.id,
        interactions: stage.user.history.map((itemId) => ({ itemId })),
      },
      k: 0,
      candidateItemIds: stage.user.candidates,
      deadlineUnixMs: 0,
      method: 'markov',
    });
    const requestFile = path.join(dir, 'request.bin');
    const garbageFile = path.join(dir, 'garbage.bin');
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0x07, 0x00, 0x13]);
    await writeFile(requestFile, request);
    await writeFile(garbageFile, garbage);
    kcat([
      '-P',
      '-t',
      TOPICS.recRequests,
      '-k',
      stage.user.id,
      '-H',
      'request-id=kcat-1',
      requestFile,
    ]);
    kcat(['-P', '-t', TOPICS.recRequests, '-k', 'garbage-user', garbageFile]);

    const value = await waitFor('a prediction read by kcat', async () => {
      try {
        const out = kcat([
          '-C',
          '-t',
          TOPICS.predictions,
          '-o',
          'beginning',
          '-c',
          '1',
          '-e',
          '-q',
          '-f',
          '%s',
        ]);
        return out.length ? out : undefined;
      } catch {
        return undefined;
      }
    });
    const prediction = predictionCodec.decode(value);
    expect(prediction.header!.requestId).toBe('kcat-1');
    const expected = stage.scorer.score({
      user: -1,
      history: Int32Array.from(stage.user.history, (id) => stage.index.get(id)!),
      candidates: Int32Array.from(stage.user.candidates, (id) => stage.index.get(id)!),
    });
    expect(prediction.prediction!.scores).toEqual(Array.from(expected));
    expect(prediction.prediction!.candidateItemIds).toEqual(stage.user.candidates);

    const letter = await waitFor('a dead letter read by kcat', async () => {
      try {
        const out = kcat([
          '-C',
          '-t',
          DLQ,
          '-o',
          'beginning',
          '-c',
          '1',
          '-e',
          '-q',
          '-f',
          '%k|%h|%S\n',
        ]);
        return out.length ? out.toString() : undefined;
      } catch {
        return undefined;
      }
    });
    const [key, headers, size] = letter.trim().split('|');
    expect(key).toBe('garbage-user');
    expect(Number(size)).toBe(garbage.length);
    expect(headers).toMatch(
      /dlq-reason=thoughtspace\.v1\.RecRequestEvent: (undecodable protobuf|missing required field)/,
    );
    expect(headers).toContain(`dlq-source-topic=${TOPICS.recRequests}`);
    expect(headers).toContain(`dlq-consumer-group=${GROUP}`);
    // kcat can read a record before the worker has processed the broker's
    // acknowledgement (kcat runs synchronously, holding this event loop).
    await waitFor(
      'the worker to count its output and dead letter',
      async () => (worker.stats().produced >= 1 ? true : undefined),
      10_000,
    ).catch(() => undefined);
    expect(worker.stats()).toMatchObject({ produced: 1, deadLettered: 1 });
  });

  it('an unknown item id is dead-lettered with the field named; the partition keeps moving', async () => {
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'test-in', ssl: false },
    });
    const producer = createProducer({ kafka });
    await producer.connect();
    const req = (id: string, candidates: string[]) => ({
      key: stage.user.id,
      value: recRequestCodec.encode({
        header: {
          requestId: id,
          userId: stage.user.id,
          producedAtUnixMs: Date.now(),
          datasetManifestHash: '',
        },
        history: {
          userId: stage.user.id,
          interactions: stage.user.history.map((itemId) => ({ itemId })),
        },
        k: 0,
        candidateItemIds: candidates,
        deadlineUnixMs: 0,
        method: 'markov',
      }),
    });
    await producer.send({
      topic: TOPICS.recRequests,
      messages: [
        req('bad-item', ['no-such-item', ...stage.user.candidates.slice(1)]),
        req('after-bad', stage.user.candidates),
      ],
    });
    await producer.disconnect();
    await waitFor('the request after the bad one', async () =>
      worker.stats().produced >= 2 ? true : undefined,
    );
    expect(worker.stats()).toMatchObject({ produced: 2, deadLettered: 2 });
    const headers = kcat([
      '-C',
      '-t',
      DLQ,
      '-o',
      '1',
      '-c',
      '1',
      '-e',
      '-q',
      '-f',
      '%h',
    ]).toString();
    expect(headers).toContain('dlq-reason=candidate_item_ids[0]: unknown item id "no-such-item"');
  });
});
