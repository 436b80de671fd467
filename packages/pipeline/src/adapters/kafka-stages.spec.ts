/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createStreamingEvaluator, type StreamingEvaluator } from '@thoughtspace/evaluator';
import { setupTelemetry, type Telemetry } from '@thoughtspace/service-kit';
import { replay, type ReplayCase } from '@thoughtspace/stage-worker';
import {
  TOPICS,
  candidatesCodec,
  createConsumer,
  createKafka,
  createProducer,
  createStageWorker,
  deadLetterTopic,
  eventHeaders,
  EVENT_TYPES,
  headerString,
  HEADERS,
  predictionCodec,
  recRequestCodec,
  selectionCodec,
  type StageWorker,
} from '@thoughtspace/kafka';
import { RationaleKind, type PredictionEvent } from '@thoughtspace/proto';
import { historyEntries } from '@thoughtspace/text';
import type { KafkaMessage } from 'kafkajs';
import { startBroker, type TestBroker } from '../../../../tests/kafka/broker';
import { waitFor } from '../../../../tests/kafka/fixtures';
import { kafkaStageHandlers } from './kafka-stages';
import { createPipeline } from '../chain';
import type { PipelinePorts } from '../ports';
import { trainChain, type TrainedChain } from '../testing/trained-chain';

// The chain as three Kafka stage workers (candidate-gen, tot-selector,
// scorer) over librdkafka's mock cluster, on the same real models as
// chain.spec.ts (testing/trained-chain.ts: all-beauty-2018, a small SASRec,
// the embedded provider, a Thought Space and a scorer trained by the main
// job's stages).
describe('the chain as Kafka stage workers', () => {
  let chain: TrainedChain;
  let prepared: TrainedChain['prepared'];
  let ports: PipelinePorts;
  let requestCases: TrainedChain['valid']['cases'];
  let broker: TestBroker;
  let workers: StageWorker[] = [];
  let telemetry: Telemetry;
  let evaluator: StreamingEvaluator;
  const exporter = new InMemorySpanExporter();
  const GROUPS = { candidates: 'candidate-gen', selection: 'tot-selector', scorer: 'scorer' };
  const EVALUATOR_GROUP = 'thoughtspace-evaluator';

  beforeAll(async () => {
    chain = await trainChain();
    ({ prepared, ports } = chain);
    requestCases = chain.valid.cases.slice(0, 6);

    broker = await startBroker({
      topics: {
        [TOPICS.recRequests]: 2,
        [TOPICS.candidates]: 2,
        [TOPICS.selections]: 2,
        [TOPICS.predictions]: 2,
        [TOPICS.interactions]: 2,
        [TOPICS.metrics]: 1,
        [deadLetterTopic(EVALUATOR_GROUP)]: 1,
        [deadLetterTopic(GROUPS.candidates)]: 1,
        [deadLetterTopic(GROUPS.selection)]: 1,
        [deadLetterTopic(GROUPS.scorer)]: 1,
      },
    });
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'pipeline-stages', ssl: false },
    });
    const handlers = kafkaStageHandlers({
      ports,
      defaults: { branching: [2, 2] },
      modelVersion: 'v7',
    });
    const stage = <I, O>(
      name: keyof typeof GROUPS,
      input: { topic: string; codec: never },
      output: { topic: string; codec: never },
      handle: (e: I) => Promise<O>,
    ) =>
      createStageWorker<I, O>({
        name: GROUPS[name],
        consumer: createConsumer({ kafka, groupId: GROUPS[name] }),
        producer: createProducer({ kafka }),
        groupId: GROUPS[name],
        input,
        output,
        handle,
        concurrency: 2,
      });
    workers = [
      stage(
        'candidates',
        { topic: TOPICS.recRequests, codec: recRequestCodec as never },
        { topic: TOPICS.candidates, codec: candidatesCodec as never },
        handlers.candidates,
      ),
      stage(
        'selection',
        { topic: TOPICS.candidates, codec: candidatesCodec as never },
        { topic: TOPICS.selections, codec: selectionCodec as never },
        handlers.selection,
      ),
      stage(
        'scorer',
        { topic: TOPICS.selections, codec: selectionCodec as never },
        { topic: TOPICS.predictions, codec: predictionCodec as never },
        handlers.scorer,
      ),
    ];
    // Spans of every stage (and the evaluator) of this process go to `exporter`.
    telemetry = setupTelemetry({ serviceName: 'kafka-chain', exporter, simple: true });
    for (const w of workers) await w.start();
    evaluator = createStreamingEvaluator({
      consumer: createConsumer({ kafka, groupId: EVALUATOR_GROUP }),
      producer: createProducer({ kafka }),
      groupId: EVALUATOR_GROUP,
      checkpointPath: join(await mkdtemp(join(tmpdir(), 'ts-eval-')), 'checkpoint.json'),
      checkpointIntervalMs: 200,
      metricsIntervalMs: 1000,
      bootstrap: { resamples: 10 },
    });
    await evaluator.start();
  }, 300_000); // training the chain takes 1-2 min on a busy 2-core machine

  afterAll(async () => {
    await evaluator?.stop();
    for (const w of workers) await w.stop();
    await telemetry?.shutdown();
    await broker?.stop();
    await chain?.dispose();
  });

  const historyOf = (user: number, history: Int32Array) =>
    historyEntries(prepared.dataset, user, history);

  const request = (i: number, deadline = 0) => {
    const c = requestCases[i];
    const userId = prepared.dataset.userIds[c.user];
    const history = historyOf(c.user, c.history);
    return {
      userId,
      history,
      record: {
        key: userId,
        value: recRequestCodec.encode({
          header: {
            requestId: `req-${i}-${deadline}`,
            userId,
            producedAtUnixMs: Date.now(),
            datasetManifestHash: prepared.manifest.hash,
          },
          history: {
            userId,
            interactions: history.map((e) => ({
              itemId: e.item.id,
              rating: e.rating,
              review: e.review,
            })),
          },
          k: 10,
          candidateItemIds: [],
          deadlineUnixMs: deadline,
          method: 'thought-space',
        }),
        headers: eventHeaders(EVENT_TYPES.recRequest, `req-${i}-${deadline}`),
      },
    };
  };

  async function readAll(topic: string, group: string, n: number): Promise<KafkaMessage[]> {
    const kafka = createKafka({ config: { brokers: broker.brokers, clientId: group, ssl: false } });
    const consumer = createConsumer({ kafka, groupId: group });
    const got: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message) });
    try {
      await waitFor(
        `${n} records on ${topic}`,
        async () => (got.length >= n ? true : undefined),
        60_000,
      );
    } finally {
      await consumer.disconnect();
    }
    return got;
  }

  it('every request becomes one prediction equal to the in-process chain, through all three stages', async () => {
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'replay', ssl: false },
    });
    const producer = createProducer({ kafka });
    await producer.connect();
    const requests = requestCases.map((_, i) => request(i));
    await producer.send({ topic: TOPICS.recRequests, messages: requests.map((r) => r.record) });
    await producer.disconnect();
    const got = await readAll(TOPICS.predictions, 'test-predictions', requests.length);
    const byId = new Map<string, PredictionEvent>();
    for (const m of got) {
      const e = predictionCodec.decode(m.value);
      expect(byId.has(e.header!.requestId)).toBe(false);
      byId.set(e.header!.requestId, e);
    }
    expect(byId.size).toBe(requests.length);
    const pipeline = createPipeline({ ports, defaults: { branching: [2, 2] } });
    for (const [i, r] of requests.entries()) {
      const streamed = byId.get(`req-${i}-0`)!;
      const local = await pipeline.recommend({
        history: r.history,
        userId: r.userId,
        k: 10,
        candidates: 10,
        seed: r.userId,
      });
      expect(local.degraded).toBeUndefined();
      const p = streamed.prediction!;
      const ranked = p.candidateItemIds
        .map((itemId, j) => ({ itemId, score: p.scores[j] }))
        .sort((a, b) => b.score - a.score || a.itemId.localeCompare(b.itemId));
      expect(ranked).toEqual(local.items);
      expect(p.provider).toBe(local.reason!.provider);
      expect(p.modelVersion).toBe('v7');
    }
  });

  it("the selection stage picks the chain's reason, a refinement with its thought-space score", async () => {
    const handlers = kafkaStageHandlers({ ports, defaults: { branching: [2, 2] } });
    const r = request(1);
    const candidates = await handlers.candidates(recRequestCodec.decode(r.record.value));
    const { selected, score, method } = await handlers.selection(candidates);
    const local = await createPipeline({ ports, defaults: { branching: [2, 2] } }).recommend({
      history: r.history,
      userId: r.userId,
      k: 10,
      candidates: 10,
      seed: r.userId,
    });
    expect(method).toBe('thought-space');
    expect(selected!.reason).toBe(local.reason!.text);
    expect(selected!.kind).toBe(RationaleKind.REFINE);
    expect(score).not.toBe(0);
    expect(Math.abs(score)).toBeLessThanOrEqual(1);
  });

  it('an expired deadline is dead-lettered by candidate-gen with the reason', async () => {
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'late', ssl: false },
    });
    const producer = createProducer({ kafka });
    await producer.connect();
    await producer.send({ topic: TOPICS.recRequests, messages: [request(0, 1).record] });
    await producer.disconnect();
    const [letter] = await readAll(deadLetterTopic(GROUPS.candidates), 'test-late', 1);
    expect(headerString(letter.headers, HEADERS.dlqReason)).toMatch(
      /^handler: deadline_unix_ms: expired \d+ ms ago$/,
    );
  });

  it('one request is one trace: replay -> candidate-gen -> tot-selector -> scorer -> evaluator', async () => {
    exporter.reset();
    const cases: ReplayCase[] = requestCases.slice(0, 2).map((c, i) => {
      const userId = prepared.dataset.userIds[c.user];
      return {
        requestId: `trace-${i}`,
        userId,
        history: historyOf(c.user, c.history).map((e) => ({
          itemId: e.item.id,
          rating: e.rating,
          review: e.review,
        })),
        candidateItemIds: [],
        targetItemId: prepared.dataset.itemIds[c.target],
      };
    });
    const kafka = createKafka({
      config: { brokers: broker.brokers, clientId: 'replay-trace', ssl: false },
    });
    const producer = createProducer({ kafka });
    await producer.connect();
    await replay({
      producer,
      cases,
      ratePerSecond: 100,
      manifestHash: prepared.manifest.hash,
      method: 'thought-space',
    });
    await producer.disconnect();
    const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
    const evaluated = (id: string) =>
      spans().filter(
        (s) =>
          s.name === `process ${TOPICS.predictions}` &&
          s.attributes['messaging.kafka.consumer.group'] === EVALUATOR_GROUP &&
          s.attributes['thoughtspace.request_id'] === id,
      ).length > 0;
    await waitFor(
      'the evaluator to process both predictions',
      async () => (cases.every((c) => evaluated(c.requestId)) ? true : undefined),
      60_000,
    );
    // Both halves met (joined, or rejected when SASRec's top 10 missed the target).
    await waitFor('both requests joined', async () => {
      const c = evaluator.snapshot().counters;
      return c.joined + c.rejected >= 2 ? true : undefined;
    });

    const chain: [string, string | undefined][] = [
      [`send ${TOPICS.recRequests}`, undefined],
      [`process ${TOPICS.recRequests}`, GROUPS.candidates],
      [`send ${TOPICS.candidates}`, undefined],
      [`process ${TOPICS.candidates}`, GROUPS.selection],
      [`send ${TOPICS.selections}`, undefined],
      [`process ${TOPICS.selections}`, GROUPS.scorer],
      [`send ${TOPICS.predictions}`, undefined],
      [`process ${TOPICS.predictions}`, EVALUATOR_GROUP],
    ];
    const traceIds = new Set<string>();
    for (const c of cases) {
      const root = spans().find(
        (s) =>
          s.name === `send ${TOPICS.recRequests}` &&
          s.attributes['thoughtspace.request_id'] === c.requestId,
      )!;
      expect(root).toBeDefined();
      expect(root.parentSpanContext).toBeUndefined();
      const traceId = root.spanContext().traceId;
      traceIds.add(traceId);
      const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
      // Walk the chain: each hop is the child of the one before it.
      let parent = root;
      for (const [name, group] of chain.slice(1)) {
        const next = inTrace.filter(
          (s) => s.name === name && s.parentSpanContext?.spanId === parent.spanContext().spanId,
        );
        expect({ name, found: next.length }).toEqual({ name, found: 1 });
        const span = next[0];
        expect(span.attributes['messaging.system']).toBe('kafka');
        expect(span.attributes['messaging.destination.name']).toBe(name.split(' ')[1]);
        if (group !== undefined) {
          expect(span.attributes['messaging.kafka.consumer.group']).toBe(group);
          expect(typeof span.attributes['messaging.kafka.destination.partition']).toBe('number');
          expect(typeof span.attributes['messaging.kafka.message.offset']).toBe('number');
        }
        parent = span;
      }
      // The ground truth is in the same trace and reaches the evaluator too.
      const truth = inTrace.find((s) => s.name === `send ${TOPICS.interactions}`)!;
      expect(truth.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(
        inTrace.some(
          (s) =>
            s.name === `process ${TOPICS.interactions}` &&
            s.parentSpanContext?.spanId === truth.spanContext().spanId,
        ),
      ).toBe(true);
    }
    expect(traceIds.size).toBe(cases.length);
  });
});
