import { diag } from '../diagnostics';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Option, type Command } from 'commander';
import { DEFAULT_PROTOCOL } from '@thoughtspace/data';
import { readServingBundle } from '@thoughtspace/pipeline';
import {
  TOPICS,
  createConsumer,
  createKafka,
  createProducer,
  kafkaConfigFromEnv,
  metricsCodec,
  type KafkaConfig,
} from '@thoughtspace/kafka';
import { alignColumns, formatInterval } from '@thoughtspace/metrics';
import { EvaluatorClient, type GetMetricsResponse, type MetricsEvent } from '@thoughtspace/proto';
import { InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import { EXPORTER_KINDS, setupTelemetry, type ExporterKind } from '@thoughtspace/service-kit';
import { replay, replayCases, type ReplayProgress } from '@thoughtspace/stage-worker';
import { loadDataset } from '../load';
import { intArg } from '../options';
import { say } from '../output';

/** --brokers, else KAFKA_BROKERS (with KAFKA_SSL / KAFKA_SASL_* from the environment). */
function kafkaConfig(brokers: string | undefined, clientId: string): KafkaConfig {
  return kafkaConfigFromEnv(
    { ...process.env, ...(brokers ? { KAFKA_BROKERS: brokers } : {}) },
    { clientId },
  );
}

function rateArg(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError(`--rate: must be a positive number, got "${value}"`);
  return n;
}

/** The dataset and seed of a run's servable bundle (runs/<out>/serving/bundle.json, hashes checked). */
async function bundleOf(run: string): Promise<{ dataset: string; seed: number }> {
  const { manifest } = await readServingBundle(run);
  return { dataset: manifest.dataset.name, seed: manifest.seed };
}

const seconds = (ms: number) =>
  Number.isFinite(ms) ? `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s` : '?';

function progressLine(p: ReplayProgress): string {
  const pct = p.total ? ((100 * p.sent) / p.total).toFixed(1) : '100.0';
  return `replay: ${p.sent}/${p.total} requests (${pct}%), ${p.perSecond.toFixed(1)}/s, elapsed ${seconds(p.elapsedMs)}, eta ${seconds(p.etaMs)}`;
}

interface ReplayFlags {
  run?: string;
  dataset?: string;
  split: 'valid' | 'test';
  rate: number;
  protocol: string;
  seed?: number;
  limit?: number;
  method: string;
  brokers?: string;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      "publish a split's requests (rec-requests) and ground-truth interactions to Kafka at a fixed rate, one trace per request",
    )
    .option('--run <dir>', 'a run folder: dataset and seed from its serving bundle')
    .option('--dataset <name|dir>', 'dataset (instead of, or overriding, --run)')
    .addOption(
      new Option('--split <split>', 'split to replay').choices(['valid', 'test']).default('test'),
    )
    .requiredOption('--rate <n>', 'requests per second', rateArg)
    .option('--protocol <p>', 'candidate protocol (sampled:N or full)', DEFAULT_PROTOCOL)
    .option(
      '--seed <n>',
      "candidate sampling seed (default: the bundle's, else 1)",
      intArg('--seed'),
    )
    .option('--limit <n>', 'replay only the first n cases', intArg('--limit', 1))
    .option('--method <strategy>', 'selection strategy asked of tot-selector', 'thought-space')
    .option('--brokers <list>', 'host:port,... (default KAFKA_BROKERS)')
    .action(async (flags: ReplayFlags) => {
      const bundle = flags.run ? await bundleOf(flags.run) : undefined;
      const datasetName = flags.dataset ?? bundle?.dataset;
      if (!datasetName)
        throw new InvalidArgumentError('replay needs --run <dir> or --dataset <name>');
      const config = kafkaConfig(flags.brokers, 'thoughtspace-replay');
      const { dataset, manifest } = await loadDataset({ dataset: datasetName });
      const seed = flags.seed ?? bundle?.seed ?? 1;
      const cases = replayCases({
        dataset,
        manifestHash: manifest.hash,
        split: flags.split,
        protocol: flags.protocol,
        seed,
        limit: flags.limit,
      });
      diag.info(
        `replay: ${cases.length} ${flags.split} requests of ${manifest.name} (${flags.protocol}, seed ${seed}) at ${flags.rate}/s to ${config.brokers.join(',')}`,
      );
      // A tracer provider is what puts each request's trace context in its
      // headers; OTEL_TRACES_EXPORTER (none, console, otlp) says where the
      // replay's own spans go.
      const exporter = (process.env.OTEL_TRACES_EXPORTER ?? 'none') as ExporterKind;
      if (!EXPORTER_KINDS.includes(exporter)) {
        throw new InvalidArgumentError(
          `OTEL_TRACES_EXPORTER must be one of ${EXPORTER_KINDS.join(', ')}, got "${exporter}"`,
        );
      }
      const telemetry = setupTelemetry({
        serviceName: 'thoughtspace-replay',
        exporter,
        otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      });
      const producer = createProducer({ kafka: createKafka({ config }) });
      await producer.connect();
      const abort = new AbortController();
      const onInt = () => abort.abort();
      process.once('SIGINT', onInt);
      try {
        const done = await replay({
          producer,
          cases,
          ratePerSecond: flags.rate,
          manifestHash: manifest.hash,
          method: flags.method,
          signal: abort.signal,
          onProgress: (p) => diag.info(progressLine(p)),
        });
        say(
          `replayed ${done.sent} of ${done.total} requests and their ground truth in ${seconds(done.elapsedMs)} (${done.perSecond.toFixed(1)}/s)`,
        );
      } finally {
        process.off('SIGINT', onInt);
        await producer.disconnect();
        await telemetry.shutdown();
      }
    });
}

/** The live table: one row per window (cumulative, last:N) of the latest MetricsEvents. */
export function formatMetricsEvents(events: MetricsEvent[]): string {
  const names = ['hr@1', 'hr@5', 'hr@10', 'ndcg@5', 'ndcg@10', 'mrr'];
  const rows = events.map((e) => {
    const values = new Map((e.metrics?.values ?? []).map((v) => [v.name.toLowerCase(), v]));
    return [
      e.window,
      e.metrics?.method ?? '',
      String(e.metrics?.cases ?? 0),
      ...names.map((n) => {
        const v = values.get(n);
        return v ? formatInterval({ mean: v.mean, low: v.ciLow, high: v.ciHigh }) : '-';
      }),
    ];
  });
  const c = events[0]?.counters;
  const lines = [
    alignColumns([['window', 'method', 'cases', ...names.map((n) => n.toUpperCase())], ...rows]),
  ];
  if (c) {
    lines.push(
      `joined ${c.joined}, predictions read ${c.predictionsRead}, interactions read ${c.interactionsRead}, ` +
        `duplicates ${c.duplicates}, expired ${c.expired}, rejected ${c.rejected}, buffered ${c.buffered}`,
    );
  }
  return lines.join('\n');
}

/** GetMetrics of a running evaluator (the streaming one serves its live state there). */
async function getMetrics(
  address: string,
  method: string | undefined,
  modelVersion: string | undefined,
): Promise<GetMetricsResponse> {
  const client = new EvaluatorClient(address, credentials.createInsecure());
  try {
    return await new Promise<GetMetricsResponse>((resolve, reject) =>
      client.getMetrics(
        { method: method ?? '', modelVersion: modelVersion ?? '' },
        new Metadata(),
        { deadline: Date.now() + 10_000 },
        (err, res) =>
          err
            ? reject(new NotFoundError(`--evaluator ${address}: GetMetrics failed: ${err.message}`))
            : resolve(res),
      ),
    );
  } finally {
    client.close();
  }
}

interface MetricsFlags {
  evaluator?: string;
  method?: string;
  modelVersion?: string;
  brokers?: string;
  follow?: boolean;
  timeout: number;
}

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description(
      "print the streaming evaluator's live metrics table: from its GetMetrics (--evaluator) or the metrics topic",
    )
    .option('--evaluator <host:port>', 'ask this evaluator over gRPC (default EVALUATOR_ADDR)')
    .option('--method <name>', 'with --evaluator: only this method')
    .option('--model-version <v>', 'with --evaluator: only this model version')
    .option('--brokers <list>', 'host:port,... (default KAFKA_BROKERS)')
    .option('--follow', 'keep printing the table as new metrics arrive (Ctrl-C to stop)')
    .option('--timeout <s>', 'seconds to wait for the first metrics', intArg('--timeout', 1), 30)
    .action(async (flags: MetricsFlags) => {
      const evaluator = flags.evaluator ?? process.env.EVALUATOR_ADDR;
      if (evaluator && !flags.brokers) {
        const res = await getMetrics(evaluator, flags.method, flags.modelVersion);
        if (res.metrics.length === 0) {
          throw new NotFoundError(`--evaluator ${evaluator}: no metrics yet`);
        }
        say(
          formatMetricsEvents(
            res.metrics.map((m) => ({
              // Per-version rows read e.g. "last:1000 @v2"; the all-versions row "cumulative".
              window: `${m.window || 'cumulative'}${m.modelVersion ? ` @${m.modelVersion}` : ''}`,
              metrics: m,
              counters: undefined,
            })),
          ),
        );
        say(`updated ${new Date(Number(res.updatedAtUnixMs)).toISOString()}`);
        return;
      }
      const config = kafkaConfig(flags.brokers, 'thoughtspace-metrics');
      const kafka = createKafka({ config });
      const admin = kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(TOPICS.metrics);
      await admin.disconnect();
      const consumer = createConsumer({
        kafka,
        groupId: `thoughtspace-metrics-cli-${process.pid}-${Date.now()}`,
      });
      const latest = new Map<string, MetricsEvent>();
      const high = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
      const read = new Map<number, bigint>();
      let printedFor = -1;
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      // Caught up once every partition was read to the end it had when we started.
      const caughtUp = () =>
        latest.size > 0 && [...high].every(([p, end]) => (read.get(p) ?? 0n) >= end);
      const print = () => {
        const events = [...latest.values()].sort((a, b) =>
          a.window === 'cumulative'
            ? -1
            : b.window === 'cumulative'
              ? 1
              : a.window.localeCompare(b.window),
        );
        say(formatMetricsEvents(events));
      };
      await consumer.connect();
      await consumer.subscribe({ topics: [TOPICS.metrics], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          read.set(partition, BigInt(message.offset) + 1n);
          const e = metricsCodec.decode(message.value);
          latest.set(e.window, e);
          if (!caughtUp()) return;
          const joined = Number(latest.get('cumulative')?.counters?.joined ?? 0);
          if (flags.follow) {
            if (joined !== printedFor) {
              printedFor = joined;
              print();
              say('');
            }
          } else finish();
        },
      });
      const timer = setTimeout(finish, flags.timeout * 1000);
      const onInt = () => finish();
      process.once('SIGINT', onInt);
      await finished;
      clearTimeout(timer);
      process.off('SIGINT', onInt);
      await consumer.disconnect();
      if (latest.size === 0) {
        throw new NotFoundError(
          `no metrics on ${TOPICS.metrics} after ${flags.timeout}s (is the streaming evaluator running?)`,
        );
      }
      if (!flags.follow) print();
    });
}
