/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { credentials } from '@grpc/grpc-js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
  type LeaveOneOut,
} from '@thoughtspace/data';
import { exportInference, verifyExport } from '@thoughtspace/engine';
import { CandidateGenClient } from '@thoughtspace/proto';
import { startServer } from '@thoughtspace/service-kit';
import { unaryCall } from '../../../../tests/grpc-helpers';
import { createServer } from '../server';
import { encodeCandidates, encodeHistories } from '../sasrec/batches';
import { evaluateSasrec } from '../sasrec/train';
import { SasrecModel } from '../serving/sasrec-model';
import { createCandidateDomain } from '../domain/candidates';
import { saveGru4rec } from './artifact';
import { validateGru4recConfig } from './config';
import { trainGru4rec, type TrainedGru4rec } from './train';

// all-beauty-2018 (2,169 users, 1,854 items) keeps the suite to seconds. gruHidden != hidden
// exercises the output projection.
const config = validateGru4recConfig({
  maxLen: 12,
  hidden: 16,
  gruHidden: 24,
  dropout: 0.1,
  epochs: 6,
  evalEvery: 2,
  patience: 0,
  batch: 128,
  lr: 0.005,
  seed: 5,
});

/** The GRU equations in plain JS from the trained parameters (PyTorch's gate convention). */
function referenceState(params: ReadonlyMap<string, unknown>, history: number[]): Float64Array {
  const p = (name: string) => params.get(name) as Float32Array;
  const { hidden: d, gruHidden: h } = config;
  const emb = p('item_embedding');
  const affine = (x: Float64Array, w: Float32Array, b: Float32Array, n: number) => {
    const out = new Float64Array(h);
    for (let j = 0; j < h; j++) {
      let s = b[j];
      for (let k = 0; k < n; k++) s += x[k] * w[k * h + j];
      out[j] = s;
    }
    return out;
  };
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let state = new Float64Array(h);
  for (const item of history.slice(-config.maxLen)) {
    const x = Float64Array.from(
      emb.subarray((item + 1) * d, (item + 2) * d),
      (v) => v * Math.sqrt(d),
    );
    const g = (name: string) => ({
      x: affine(x, p(`gru.${name}.wx`), p(`gru.${name}.bx`), d),
      h: affine(state, p(`gru.${name}.wh`), p(`gru.${name}.bh`), h),
    });
    const r = g('reset');
    const z = g('update');
    const n = g('candidate');
    state = state.map((prev, j) => {
      const rj = sig(r.x[j] + r.h[j]);
      const zj = sig(z.x[j] + z.h[j]);
      const nj = Math.tanh(n.x[j] + rj * n.h[j]);
      return (1 - zj) * nj + zj * prev;
    });
  }
  const wo = p('gru.output.w');
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) for (let k = 0; k < h; k++) out[j] += state[k] * wo[k * d + j];
  return out;
}

describe('GRU4Rec on all-beauty-2018', () => {
  let trained: TrainedGru4rec;
  let prepared: Awaited<ReturnType<typeof prepareDataset>>;
  let loo: LeaveOneOut;
  let dir: string;

  beforeAll(async () => {
    prepared = await prepareDataset({ dataset: 'all-beauty-2018' });
    loo = leaveOneOut(prepared.dataset);
    trained = await trainGru4rec({
      dataset: prepared.dataset,
      datasetHash: prepared.manifest.hash,
      loo,
      config,
      validProtocol: parseProtocol('sampled:9'),
      silent: true,
    });
    dir = await mkdtemp(join(tmpdir(), 'ts-gru4rec-'));
    await saveGru4rec(dir, trained, {
      datasetName: prepared.name,
      manifestHash: prepared.manifest.hash,
      itemIds: prepared.dataset.itemIds,
      userIds: prepared.dataset.userIds,
      userHistories: sequencesBefore(loo, 'test'),
    });
  });
  afterAll(async () => {
    await trained.trainer.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('learns: loss falls and the test split beats chance', async () => {
    expect(trained.curve[trained.curve.length - 1].loss).toBeLessThan(trained.curve[0].loss);
    const set = buildEvaluationSet({
      dataset: prepared.dataset,
      datasetHash: prepared.manifest.hash,
      split: 'test',
      protocol: parseProtocol('sampled:9'),
      seed: 1,
      loo,
    });
    const run = await evaluateSasrec(trained.trainer, trained.model, config, set, {
      silent: true,
      resamples: 50,
    });
    // Chance HR@1 is 0.1 with 10 candidates.
    expect(run.report.metrics['HR@1'].low).toBeGreaterThan(0.1);
  });

  it('keeps the parameters of the best validation epoch (early stopping restores them)', async () => {
    const validated = trained.curve.filter((p) => p.validNdcg10 !== undefined);
    expect(validated.map((p) => p.epoch)).toEqual([2, 4, 6]);
    const best = Math.max(...validated.map((p) => p.validNdcg10 as number));
    expect(trained.curve.find((p) => p.epoch === trained.bestEpoch)?.validNdcg10).toBe(best);
    const set = buildEvaluationSet({
      dataset: prepared.dataset,
      datasetHash: prepared.manifest.hash,
      split: 'valid',
      protocol: parseProtocol('sampled:9'),
      seed: config.seed,
      loo,
    });
    const again = await evaluateSasrec(trained.trainer, trained.model, config, set, {
      silent: true,
      resamples: 10,
    });
    expect(again.report.metrics['NDCG@10'].mean).toBeCloseTo(best, 6);
  });

  it('computes a GRU: user states equal the gate equations in plain JS, padding ignored', async () => {
    const histories = [[3, 4, 5], [7], prepared.dataset.sequences[2].slice(0, 20)].map((h) =>
      Int32Array.from(h),
    );
    const got = (
      await trained.trainer.evaluate(
        { seq: encodeHistories(histories, config.maxLen) },
        { user_embedding: trained.model.userEmbedding },
      )
    ).user_embedding.data as Float32Array;
    histories.forEach((h, i) => {
      const want = referenceState(trained.trainer.parameters, Array.from(h));
      for (let j = 0; j < config.hidden; j++)
        expect(got[i * config.hidden + j]).toBeCloseTo(want[j], 4);
    });
  });

  it('exported graph agrees with the training graph, and the padding row never matters', async () => {
    const histories = prepared.dataset.sequences
      .slice(0, 64)
      .map((s) => s.subarray(0, s.length - 1));
    const candidates = histories.map((_, i) =>
      Int32Array.from([i % 1854, (i * 7) % 1854, (i * 13) % 1854]),
    );
    const feeds = {
      seq: encodeHistories(histories, config.maxLen),
      candidates: encodeCandidates(candidates),
    };
    const reference = await trained.trainer.evaluate(feeds, {
      scores: trained.model.scores,
      user_embedding: trained.model.userEmbedding,
    });
    const model = new Uint8Array(await readFile(join(dir, 'model.onnx')));
    expect(await verifyExport({ model, feeds, reference, tolerance: 1e-4 })).toBeLessThan(1e-4);

    const params = new Map(trained.trainer.parameters);
    const emb = (params.get('item_embedding') as Float32Array).slice();
    for (let j = 0; j < config.hidden; j++) emb[j] = 1000 * Math.sin(j + 1); // row 0 = padding
    params.set('item_embedding', emb);
    const poisoned = exportInference({
      outputs: { user_embedding: trained.model.userEmbedding },
      parameters: params,
    });
    const userFeeds = { seq: feeds.seq };
    expect(
      await verifyExport({
        model: poisoned,
        feeds: userFeeds,
        reference: { user_embedding: reference.user_embedding },
        tolerance: 1e-4,
      }),
    ).toBeLessThan(1e-4);
  });

  it('is served by candidate-gen from its model directory with the variant in the model name', async () => {
    const model = await SasrecModel.load(dir, { threads: 1 });
    try {
      expect(model.manifest.variant).toBe('gru4rec');
      expect(model.manifest.config.hidden).toBe(config.hidden);
      expect((model.manifest.variantConfig as { gru4rec: { gruHidden: number } }).gru4rec).toEqual(
        config,
      );
      const domain = createCandidateDomain({ model });
      expect(domain.modelName).toBe(`gru4rec@${prepared.manifest.hash.slice(0, 12)}`);
      const history = prepared.dataset.sequences[0].subarray(0, 3);
      const [viaGraph] = await model.scoreBatch([history], [Int32Array.from([1, 2, 3])]);
      const emb = await model.userEmbeddings([history]);
      const want = referenceState(trained.trainer.parameters, Array.from(history));
      for (let j = 0; j < config.hidden; j++) expect(emb[j]).toBeCloseTo(want[j], 4);
      const viaTable = model.scoreWithEmbedding(emb, 0, [1, 2, 3]);
      for (let i = 0; i < 3; i++) expect(viaGraph[i]).toBeCloseTo(viaTable[i], 3);
      const ids = Array.from(history, (i) => prepared.dataset.itemIds[i]);
      const top = await domain.generate({ history: ids, k: 5 });
      expect(top).toHaveLength(5);
      // A request may name the variant it wants: this server's own is served, another is NOT_FOUND.
      expect(await domain.generate({ history: ids, k: 5, model: 'gru4rec' })).toEqual(top);
      await expect(domain.generate({ history: ids, k: 5, model: 'sasrec' })).rejects.toThrow(
        'model: "sasrec" is not loaded on this server (it serves gru4rec)',
      );
    } finally {
      await model.dispose();
    }
  });

  it("answers GenerateCandidates and ScoreCandidates over gRPC with the training graph's scores", async () => {
    const model = await SasrecModel.load(dir, { threads: 1 });
    const built = createServer({ domain: createCandidateDomain({ model }) });
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    const client = new CandidateGenClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      const h = sequencesBefore(loo, 'test')[0];
      const history = {
        userId: 'u',
        interactions: Array.from(h, (i) => ({ itemId: prepared.dataset.itemIds[i] })),
      };
      const gen = await unaryCall(client.generateCandidates, client, {
        history,
        k: 10,
        excludeItemIds: [],
        returnUserState: false,
        model: '',
      });
      expect(gen.candidates?.model).toMatch(/^gru4rec@/);
      expect(gen.candidates?.candidates).toHaveLength(10);
      const scored = await unaryCall(client.scoreCandidates, client, {
        history,
        candidateItemIds: [3, 7, 11].map((i) => prepared.dataset.itemIds[i]),
        model: '',
      });
      const reference = await trained.trainer.evaluate(
        {
          seq: encodeHistories([h], config.maxLen),
          candidates: encodeCandidates([[3, 7, 11]]),
        },
        { scores: trained.model.scores },
      );
      (scored.candidates?.candidates ?? []).forEach((c, i) =>
        expect(c.score).toBeCloseTo(Number(reference.scores.data[i]), 4),
      );
    } finally {
      client.close();
      built.server.forceShutdown();
      await model.dispose();
    }
  });

  it('rejects a bad config naming the field', () => {
    expect(() => validateGru4recConfig({ gruHidden: 0 })).toThrow(/gru4rec: gruHidden/);
    expect(() => validateGru4recConfig({ loss: 'hinge' as never })).toThrow(/gru4rec: loss/);
  });
});
