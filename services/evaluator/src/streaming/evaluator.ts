import {
  SpanStatusCode,
  context,
  propagation,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import type {
  Consumer,
  EachBatchPayload,
  IHeaders,
  KafkaMessage,
  Message,
  Producer,
} from 'kafkajs';
import {
  EVENT_TYPES,
  TOPICS,
  deadLetterRecord,
  deadLetterTopic,
  eventHeaders,
  headerString,
  HEADERS,
  interactionCodec,
  metricsCodec,
  predictionCodec,
  silentKafkaLogger,
  startProcessSpan,
  withBackoff,
  type KafkaLogger,
} from '@thoughtspace/kafka';
import { METRICS, type MetricReport } from '@thoughtspace/metrics';
import type { MetricsEvent } from '@thoughtspace/proto';
import { describeError } from '@thoughtspace/runtime';
import { readCheckpoint, writeCheckpoint, CHECKPOINT_FORMAT, type Offsets } from './checkpoint';
import { inlineReportRunner, workerReportRunner, type Reports } from './reports';
import { JoinState, type Half, type JoinStateOptions, type StreamCounts } from './state';

export interface StreamingEvaluatorOptions {
  consumer: Consumer;
  producer: Producer;
  groupId: string;
  /** Where the state and its offsets are checkpointed (one file per consumer group). */
  checkpointPath: string;
  topics?: { predictions?: string; interactions?: string; metrics?: string; deadLetter?: string };
  /** Checkpoint + commit at most this often while records flow (default 500 ms). */
  checkpointIntervalMs?: number;
  /**
   * Publish MetricsEvents at most this often (default 2000 ms); spaced further
   * when the bootstrap is slow, so reports take at most ~5% of the time.
   */
  metricsIntervalMs?: number;
  join?: Omit<JoinStateOptions, 'restore'>;
  /** Bootstrap of the CIs, as `thoughtspace eval --seed --resamples` (defaults 1, 1000). */
  bootstrap?: { seed?: number; resamples?: number };
  /**
   * Compute the reports' bootstrap on a worker thread (default true), so a
   * report over a large stream never stops fetching, joining and heartbeats;
   * false computes them on the event loop.
   */
  reportsOnWorker?: boolean;
  /** Written into each MetricsEvent. */
  split?: string;
  protocol?: string;
  logger?: KafkaLogger;
  /** Tracer of the `process <topic>` span per record (default: the global provider's). */
  tracer?: Tracer;
  /** Called after each published report (GetMetrics's store, Prometheus). */
  onReport?(snapshot: StreamingSnapshot): void;
}

/** The last reports (overall and per model version that predictions named) with the counters and labels. */
export interface StreamingSnapshot extends Reports {
  counters: StreamCounts & { buffered: number };
  /** The sliding window's size in cases ("last:N"). */
  windowSize?: number;
  method: string;
  provider: string;
  datasetManifestHash: string;
}

export interface StreamingEvaluator {
  start(): Promise<void>;
  /** Checkpoint, publish final metrics and disconnect. */
  stop(): Promise<void>;
  /**
   * Live counters and the reports of the last MetricsEvent (for GetMetrics and
   * Prometheus); cheap to call, the bootstrap runs only when publishing.
   */
  snapshot(): StreamingSnapshot;
  /** Force a checkpoint + commit now. */
  checkpoint(): Promise<void>;
}

/**
 * Streaming evaluation: joins predictions with ground-truth interactions by
 * request id and keeps HR/NDCG/MRR with bootstrap CIs. Exactly-once counting:
 * the join state and the offsets it covers are written together in one
 * atomic checkpoint file, and only then are those offsets committed to the
 * group, so the committed offset never passes the checkpoint. After a crash
 * the consumer resumes at the committed offset (at or before the
 * checkpoint's) and every record between them is recognised by request id.
 * See docs/kafka.md.
 */
export function createStreamingEvaluator(options: StreamingEvaluatorOptions): StreamingEvaluator {
  const log = (options.logger ?? silentKafkaLogger).namespace('streaming');
  const topics = {
    predictions: options.topics?.predictions ?? TOPICS.predictions,
    interactions: options.topics?.interactions ?? TOPICS.interactions,
    metrics: options.topics?.metrics ?? TOPICS.metrics,
    deadLetter: options.topics?.deadLetter ?? deadLetterTopic(options.groupId),
  };
  const bootstrap = {
    seed: options.bootstrap?.seed ?? 1,
    resamples: options.bootstrap?.resamples ?? 1000,
  };
  const checkpointEvery = options.checkpointIntervalMs ?? 500;
  const metricsEvery = options.metricsIntervalMs ?? 2000;
  const { consumer, producer, groupId } = options;

  let state = new JoinState(options.join);
  let offsets: Offsets = {};
  let deadLetters: Message[] = [];
  let dirty = false;
  let lastMetrics = 0;
  let metricsGapMs = 0;
  let lastReports: Reports = {};
  let publishing: Promise<void> | undefined;
  const reports = options.reportsOnWorker === false ? inlineReportRunner() : workerReportRunner();
  let metricsSeq = 0;
  let publishedJoins = -1;
  let labels = { method: '', provider: '', datasetManifestHash: '' };
  let timer: NodeJS.Timeout | undefined;

  function toHalf(topic: string, message: KafkaMessage): Half {
    const at = Number(message.timestamp);
    if (topic === topics.predictions) {
      const e = predictionCodec.decode(message.value);
      const p = e.prediction!;
      if (!labels.method) {
        labels = {
          method: p.method,
          provider: p.provider,
          datasetManifestHash: e.header!.datasetManifestHash,
        };
      }
      const half: Half = {
        kind: 'prediction',
        requestId: e.header!.requestId,
        userId: e.header!.userId,
        at,
        candidates: p.candidateItemIds,
        scores: p.scores,
        ...(p.modelVersion ? { version: p.modelVersion } : {}),
      };
      if (p.targetItemId === undefined) return half;
      // A prediction that names its ground truth joins with itself.
      state.add(half);
      return {
        kind: 'interaction',
        requestId: half.requestId,
        userId: half.userId,
        at,
        itemId: p.targetItemId,
      };
    }
    const e = interactionCodec.decode(message.value);
    return {
      kind: 'interaction',
      requestId: e.header!.requestId,
      userId: e.header!.userId,
      at,
      itemId: e.interaction!.itemId,
    };
  }

  /**
   * The producer's trace context from the propagator's own header fields
   * (traceparent/tracestate for W3C): only those are decoded, not every header.
   */
  function producerContext(headers: IHeaders | undefined): Context {
    const active = context.active();
    if (!headers) return active;
    let carrier: Record<string, string> | undefined;
    for (const field of propagation.fields()) {
      const v = headerString(headers, field);
      if (v !== undefined) (carrier ??= {})[field] = v;
    }
    return carrier ? propagation.extract(active, carrier) : active;
  }

  function apply(topic: string, partition: number, message: KafkaMessage): void {
    const headers = message.headers;
    const span = startProcessSpan(
      options.tracer,
      { topic, partition, offset: message.offset, groupId },
      producerContext(headers),
    );
    if (span.isRecording()) {
      const requestId = headerString(headers, HEADERS.requestId);
      if (requestId) span.setAttribute('thoughtspace.request_id', requestId);
    }
    const expected =
      topic === topics.predictions ? EVENT_TYPES.prediction : EVENT_TYPES.interaction;
    const eventType = headerString(headers, HEADERS.eventType);
    let reason: string | undefined;
    if (eventType !== undefined && eventType !== expected) {
      reason = `event-type header is ${eventType}, expected ${expected}`;
    } else {
      try {
        const r = state.add(toHalf(topic, message));
        span.setAttribute('thoughtspace.join.outcome', r.outcome);
        if (r.outcome === 'rejected')
          log.warn('rejected', { topic, partition, offset: message.offset, reason: r.reason });
      } catch (err) {
        reason = describeError(err);
      }
    }
    if (reason !== undefined) {
      log.warn('dead-lettered', { topic, partition, offset: message.offset, reason });
      deadLetters.push(deadLetterRecord({ topic, partition, message, groupId }, reason));
      span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    }
    span.end();
  }

  /** Snapshot synchronously, write it, send dead letters, then commit the offsets it covers. */
  async function doCheckpoint(): Promise<void> {
    if (!dirty) return;
    dirty = false;
    const covered = { ...offsets };
    const letters = deadLetters;
    deadLetters = [];
    await writeCheckpoint(options.checkpointPath, {
      format: CHECKPOINT_FORMAT,
      groupId,
      offsets: covered,
      state: state.snapshot(),
      labels,
      writtenAt: new Date().toISOString(),
    });
    if (letters.length) {
      await withBackoff(() => producer.send({ topic: topics.deadLetter, messages: letters }), {
        retriable: () => true,
        attempts: 20,
      });
    }
    const commits = Object.entries(covered).map(([tp, offset]) => {
      const i = tp.lastIndexOf(':');
      return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)), offset };
    });
    try {
      await consumer.commitOffsets(commits);
    } catch (err) {
      // Safe to skip: the next checkpoint commits again, and a restart from an
      // older offset re-reads records the checkpointed state already holds.
      log.warn('offset commit failed; will retry with the next checkpoint', {
        error: describeError(err),
      });
    }
    maybePublish();
  }

  // One checkpoint at a time; a commit stuck in a rebalance never blocks eachBatch.
  let inFlight: Promise<void> | undefined;
  const checkpoint = (): Promise<void> => {
    inFlight ??= doCheckpoint().finally(() => (inFlight = undefined));
    return inFlight;
  };

  function metricsEvent(
    window: string,
    report: MetricReport | undefined,
    c: StreamingSnapshot['counters'],
  ): MetricsEvent {
    return {
      header: {
        requestId: `${groupId}-metrics-${metricsSeq}-${window}`,
        userId: groupId,
        producedAtUnixMs: Date.now(),
        datasetManifestHash: labels.datasetManifestHash,
      },
      metrics: {
        values: report
          ? METRICS.map((m) => ({
              name: m.toLowerCase(),
              mean: report.metrics[m].mean,
              ciLow: report.metrics[m].low,
              ciHigh: report.metrics[m].high,
            }))
          : [],
        cases: report?.cases ?? 0,
        method: labels.method,
        provider: labels.provider,
        split: options.split ?? 'test',
        protocol: options.protocol ?? '',
        datasetManifestHash: labels.datasetManifestHash,
        confidence: report?.bootstrap.level ?? 0.95,
        modelVersion: '',
        window,
      },
      window,
      counters: c,
    };
  }

  /**
   * Report the joined cases as they are now. The cases and counters are
   * copied synchronously; the bootstrap runs on the report worker while the
   * consumer goes on, so the event describes exactly that copy.
   */
  async function publishMetrics(): Promise<void> {
    const c = state.counters();
    if (c.joined === publishedJoins) return;
    const { reports: r, ms } = await reports.run(state.joinedCases(), state.window, bootstrap);
    // Per model version for GetMetrics (a rollout is judged on its own
    // cases); the metrics topic keeps the all-versions events only.
    const { cumulative, window } = r;
    lastReports = r;
    // The bootstrap is O(resamples x cases) (about 1-5 s for 20,000 cases on
    // a busy 2-core machine): off the event loop it still takes a core, so
    // reports are spaced to take at most ~5% of it.
    lastMetrics = Date.now();
    metricsGapMs = Math.max(metricsEvery, 20 * ms);
    metricsSeq++;
    const events = [
      metricsEvent('cumulative', cumulative, c),
      metricsEvent(`last:${state.window}`, window, c),
    ];
    await withBackoff(
      () =>
        producer.send({
          topic: topics.metrics,
          messages: events.map((e) => ({
            key: groupId,
            value: metricsCodec.encode(e),
            headers: eventHeaders(EVENT_TYPES.metrics, e.header!.requestId),
          })),
        }),
      { retriable: () => true, attempts: 20 },
    );
    publishedJoins = c.joined;
    log.info('metrics', { ...c, hr10: cumulative?.metrics['HR@10'].mean });
    options.onReport?.({ counters: c, ...lastReports, windowSize: state.window, ...labels });
  }

  /** One report at a time, when due; never awaited by the checkpoint or the consumer. */
  function maybePublish(): void {
    if (publishing || Date.now() - lastMetrics < Math.max(metricsEvery, metricsGapMs)) return;
    publishing = publishMetrics()
      .catch((err: unknown) => log.error('metrics report failed', { error: describeError(err) }))
      .finally(() => (publishing = undefined));
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    let last: string | undefined;
    for (const m of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      apply(batch.topic, batch.partition, m);
      last = m.offset;
    }
    // Offsets move once per batch, after every record before them is in the state.
    if (last !== undefined) {
      payload.resolveOffset(last);
      offsets[`${batch.topic}:${batch.partition}`] = (BigInt(last) + 1n).toString();
      dirty = true;
    }
    // Checkpoints run on their own timer: awaiting a commit here would hold
    // up the rejoin a rebalance needs, and the commit's retries with it.
    await payload.heartbeat();
  }

  return {
    async start() {
      const saved = await readCheckpoint(options.checkpointPath, groupId);
      if (saved) {
        state = new JoinState({ ...options.join, restore: saved.state });
        offsets = { ...saved.offsets };
        labels = saved.labels;
        log.info('resumed from checkpoint', { ...state.counters(), offsets });
      }
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({
        topics: [topics.predictions, topics.interactions],
        fromBeginning: true,
      });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
      // The first report comes one interval after the start, like every later one.
      lastMetrics = Date.now();
      timer = setInterval(() => {
        checkpoint()
          .then(maybePublish)
          .catch((err: unknown) => log.error('checkpoint failed', { error: describeError(err) }));
      }, checkpointEvery);
      log.info('started', { ...topics, groupId });
    },
    async stop() {
      clearInterval(timer);
      await inFlight;
      await checkpoint(); // commits while the consumer still runs
      await consumer.stop();
      dirty = true;
      await checkpoint(); // whatever the last batch added (committed on restart)
      await publishing;
      try {
        await publishMetrics();
      } finally {
        await reports.close();
      }
      await consumer.disconnect();
      await producer.disconnect();
      log.info('stopped', { ...state.counters() });
    },
    snapshot() {
      return { counters: state.counters(), ...lastReports, windowSize: state.window, ...labels };
    },
    checkpoint,
  };
}
