import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRanks, reportFromRanks } from '@thoughtspace/metrics';
import {
  CompareRequest,
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
        modelVersion: '',
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

  it('GetMetrics filters by model version', async () => {
    const report = reportFromRanks([1, 3], { resamples: 20, seed: 1 });
    for (const modelVersion of ['v1', 'v2'])
      store.put({
        method: 'thought-space',
        provider: 'embedded',
        split: 'test',
        protocol: 'sampled:9',
        datasetManifestHash: targets.manifestHash,
        report,
        modelVersion,
        window: 'cumulative',
      });
    const v2 = await call(
      client.getMetrics,
      client,
      GetMetricsRequest.fromPartial({ modelVersion: 'v2' }),
    );
    expect(v2.metrics.map((m) => [m.modelVersion, m.window, m.cases])).toEqual([
      ['v2', 'cumulative', 2],
    ]);
  });

  it('Compare: paired deltas of challenger vs champion on the same users, whatever the sources', async () => {
    const { predictions } = testPredictions();
    // The champion ranks the target third for everyone, from a file and as ranks.
    const champion = predictions.map((p) => ({
      ...p,
      candidateItemIds: [p.candidateItemIds[1], 'x1', 'x2'],
      scores: [0, 1, 2],
    }));
    await writeFile(
      join(dir, 'champion.jsonl'),
      [...champion]
        .reverse()
        .map((p) =>
          JSON.stringify({ user: p.userId, candidates: p.candidateItemIds, scores: p.scores }),
        )
        .join('\n'),
    );
    const res = await call(
      client.compare,
      client,
      CompareRequest.fromPartial({
        challenger: { name: 'v2', source: { $case: 'batch', value: { predictions } } },
        champion: { name: 'v1', source: { $case: 'predictionsUri', value: 'champion.jsonl' } },
        bootstrapResamples: 100,
        seed: 5,
      }),
    );
    // The same test computed here on ranks aligned in user-id order.
    const users = predictions.map((p) => p.userId);
    const order = users.map((_, i) => i).sort((a, b) => (users[a] < users[b] ? -1 : 1));
    const expected = compareRanks(
      order.map((i) => (i % 2 === 0 ? 1 : 3)),
      order.map(() => 3),
      { seed: 5, resamples: 100, permutations: 100 },
    );
    expect(res.users).toBe(predictions.length);
    expect([res.bootstrapResamples, res.permutations]).toEqual([100, 100]);
    const hr1 = res.deltas.find((d) => d.name === 'hr@1')!;
    expect(hr1.championMean).toBe(0);
    expect(hr1.delta).toBeCloseTo(expected['HR@1'].difference.mean, 12);
    expect([hr1.ciLow, hr1.ciHigh, hr1.pValue]).toEqual([
      expected['HR@1'].difference.low,
      expected['HR@1'].difference.high,
      expected['HR@1'].pValue,
    ]);
    expect(hr1.pValue).toBeLessThan(0.01);

    // A tie: the champion's ranks sent inline against its own file.
    const tie = await call(
      client.compare,
      client,
      CompareRequest.fromPartial({
        challenger: {
          name: 'v1-ranks',
          source: {
            $case: 'ranks',
            value: { userIds: users, ranks: users.map(() => 3) },
          },
        },
        champion: { name: 'v1', source: { $case: 'predictionsUri', value: 'champion.jsonl' } },
        bootstrapResamples: 20,
      }),
    );
    const ndcg = tie.deltas.find((d) => d.name === 'ndcg@10')!;
    expect([ndcg.delta, ndcg.pValue]).toEqual([0, 1]);
  });

  it('Compare rejects different user sets and missing sides, naming the field', async () => {
    const { predictions } = testPredictions();
    const ranks = (ps: Prediction[]) => ({
      $case: 'ranks' as const,
      value: { userIds: ps.map((p) => p.userId), ranks: ps.map(() => 1) },
    });
    const fail = async (req: Partial<CompareRequest>) => {
      try {
        await call(client.compare, client, CompareRequest.fromPartial(req));
      } catch (err) {
        return err as ServiceError;
      }
      throw new Error('Compare succeeded');
    };
    const differ = await fail({
      challenger: { name: 'v2', source: ranks(predictions) },
      champion: { name: 'v1', source: ranks(predictions.slice(1)) },
    });
    expect(differ.code).toBe(status.INVALID_ARGUMENT);
    expect(differ.details).toContain(
      `challenger and champion must rank the same users: 1 (e.g. ${predictions[0].userId}) only in challenger (v2), 0 only in champion (v1)`,
    );
    const missing = await fail({ challenger: { name: 'v2', source: ranks(predictions) } });
    expect([missing.code, missing.details]).toEqual([
      status.INVALID_ARGUMENT,
      'champion is required',
    ]);
    const empty = await fail({
      challenger: { name: 'v2', source: ranks(predictions) },
      champion: { name: 'v1' },
    });
    expect(empty.details).toBe('champion: one of batch, predictions_uri or ranks is required');
    const badRank = await fail({
      challenger: { name: 'v2', source: { $case: 'ranks', value: { userIds: ['u'], ranks: [0] } } },
      champion: { name: 'v1', source: ranks(predictions) },
    });
    expect(badRank.details).toBe('challenger.ranks.ranks[0] must be an integer >= 1, got 0');
  });
});
