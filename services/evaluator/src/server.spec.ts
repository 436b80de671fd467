import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFromRanks } from '@thoughtspace/metrics';
import {
  EvaluateSplitRequest,
  EvaluatorClient,
  GetMetricsRequest,
  type Prediction,
} from '@thoughtspace/proto';
import { startServer } from '@thoughtspace/service-kit';
import { unaryCall } from '../../../tests/grpc-helpers';
import type { Targets } from './domain/evaluate';
import { createMemoryMetricsStore, type MetricsStore } from './domain/store';
import { loadTargets } from './main';
import { createServer } from './server';

const call = unaryCall;

describe('evaluator over gRPC loopback (all-beauty-2018 targets)', () => {
  let client: EvaluatorClient;
  let store: MetricsStore;
  let targets: Targets;
  let dir: string;
  let close: () => void;

  beforeAll(async () => {
    targets = await loadTargets('all-beauty-2018', process.env);
    dir = await mkdtemp(join(tmpdir(), 'ts-eval-'));
    store = createMemoryMetricsStore({ now: () => 1_700_000_000_000 });
    const built = createServer({ store, targets, predictionsDir: dir });
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    built.health.setAllServing();
    client = new EvaluatorClient(`127.0.0.1:${port}`, credentials.createInsecure());
    close = () => built.server.forceShutdown();
  });
  afterAll(() => {
    client?.close();
    close?.();
  });

  /** One prediction per test user: the target first for every second user, third otherwise. */
  function testPredictions(): { predictions: Prediction[]; hits: number } {
    const predictions: Prediction[] = [];
    let hits = 0;
    let i = 0;
    for (const [user, target] of targets.splits.test) {
      const hit = i++ % 2 === 0;
      hits += hit ? 1 : 0;
      predictions.push({
        userId: user,
        candidateItemIds: ['x1', target, 'x2'],
        scores: hit ? [0, 2, 1] : [3, 1, 2],
        method: 'probe',
        provider: 'none',
      });
    }
    return { predictions, hits };
  }

  it('EvaluateSplit fills targets from the split and matches the metrics package', async () => {
    const { predictions, hits } = testPredictions();
    const res = await call(client.evaluateSplit, client, {
      source: { $case: 'batch', value: { predictions } },
      split: 'test',
      bootstrapResamples: 200,
      seed: 3,
    });
    const hr1 = res.metrics!.values.find((v) => v.name === 'hr@1')!;
    expect(res.malformed).toBe(0);
    expect(res.metrics!.cases).toBe(predictions.length);
    expect(hr1.mean).toBeCloseTo(hits / predictions.length, 12);
    const ranks = predictions.map((_, k) => (k % 2 === 0 ? 1 : 3));
    const expected = reportFromRanks(ranks, { resamples: 200, seed: 3 });
    expect(hr1.ciLow).toBeCloseTo(expected.metrics['HR@1'].low, 12);
    expect(res.metrics!.values.find((v) => v.name === 'mrr')!.mean).toBeCloseTo(
      expected.metrics.MRR.mean,
      12,
    );
    expect(res.metrics!).toMatchObject({
      method: 'probe',
      split: 'test',
      datasetManifestHash: targets.manifestHash,
      confidence: 0.95,
    });
  });

  it('counts malformed predictions instead of failing the request', async () => {
    const { predictions } = testPredictions();
    predictions[0] = { ...predictions[0], scores: [1, 2] };
    predictions[1] = { ...predictions[1], userId: 'nobody-has-this-id' };
    predictions[2] = { ...predictions[2], userId: predictions[3].userId };
    const res = await call(client.evaluateSplit, client, {
      source: { $case: 'batch', value: { predictions } },
      split: 'test',
      bootstrapResamples: 50,
      seed: 1,
    });
    expect(res.malformed).toBe(3);
    expect(res.metrics!.cases).toBe(predictions.length - 3);
  });

  it('reads predictions_uri only inside PREDICTIONS_DIR', async () => {
    const { predictions } = testPredictions();
    const lines = predictions
      .slice(0, 40)
      .map((p) =>
        JSON.stringify({ user: p.userId, candidates: p.candidateItemIds, scores: p.scores }),
      );
    await writeFile(join(dir, 'p.jsonl'), `${lines.join('\n')}\nnot json\n`);
    const res = await call(client.evaluateSplit, client, {
      source: { $case: 'predictionsUri', value: 'p.jsonl' },
      split: 'test',
      bootstrapResamples: 50,
      seed: 1,
    });
    expect(res.metrics!.cases).toBe(40);
    expect(res.malformed).toBe(1);
    const escape = call(client.evaluateSplit, client, {
      source: { $case: 'predictionsUri', value: '../../etc/passwd' },
      split: 'test',
      bootstrapResamples: 50,
      seed: 1,
    });
    await expect(escape).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('PREDICTIONS_DIR'),
    });
    await expect(
      call(client.evaluateSplit, client, {
        source: { $case: 'predictionsUri', value: 'missing.jsonl' },
        split: 'test',
        bootstrapResamples: 50,
        seed: 1,
      }),
    ).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('rejects bad fields naming them', async () => {
    const { predictions } = testPredictions();
    const batch = { $case: 'batch' as const, value: { predictions } };
    const cases: [Parameters<typeof EvaluateSplitRequest.fromPartial>[0], string][] = [
      [{ source: batch, split: 'train' }, 'split'],
      [{ source: batch, split: 'test', bootstrapResamples: 5 }, 'bootstrap_resamples'],
      [{ split: 'test' }, 'batch or predictions_uri'],
      [
        { source: batch, split: 'test', meta: { requestId: 'r', datasetManifestHash: 'ab12' } },
        'dataset_manifest_hash',
      ],
      [{ source: { $case: 'batch', value: { predictions: [] } }, split: 'test' }, 'no usable'],
    ];
    for (const [req, field] of cases) {
      const err = await call(
        client.evaluateSplit,
        client,
        EvaluateSplitRequest.fromPartial(req),
      ).catch((e: ServiceError) => e);
      expect((err as ServiceError).details).toContain(field);
      expect([status.INVALID_ARGUMENT, status.FAILED_PRECONDITION]).toContain(
        (err as ServiceError).code,
      );
    }
  });

  it('GetMetrics serves what the streaming evaluator put in the store', async () => {
    const empty = await call(client.getMetrics, client, GetMetricsRequest.fromPartial({}));
    expect(empty).toEqual({ metrics: [], updatedAtUnixMs: 0 });
    const report = reportFromRanks([1, 2, 1, 5], { resamples: 20, seed: 1 });
    for (const method of ['thought-space', 'sasrec']) {
      store.put({
        method,
        provider: 'embedded',
        split: 'test',
        protocol: 'sampled:9',
        datasetManifestHash: targets.manifestHash,
        report,
      });
    }
    const all = await call(client.getMetrics, client, GetMetricsRequest.fromPartial({}));
    expect(all.metrics.map((m) => m.method)).toEqual(['sasrec', 'thought-space']);
    expect(all.updatedAtUnixMs).toBe(1_700_000_000_000);
    const one = await call(
      client.getMetrics,
      client,
      GetMetricsRequest.fromPartial({ method: 'sasrec' }),
    );
    expect(one.metrics).toHaveLength(1);
    expect(one.metrics[0].values.find((v) => v.name === 'hr@1')!.mean).toBeCloseTo(0.5, 12);
    expect(one.metrics[0].cases).toBe(4);
  });
});
