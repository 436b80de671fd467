/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';
import { buildFullRankingSet } from '@thoughtspace/baselines';
import {
  createTopK,
  decodeSafetensors,
  encodeSafetensors,
  exportInference,
  verifyExport,
} from '@thoughtspace/engine';
import { loadSasrec, saveSasrec } from './artifact';
import { encodeCandidates, encodeHistories } from './batches';
import { validateConfig } from './config';
import { evaluateSasrec, trainSasrec, type TrainedSasrec } from './train';
import { SasrecModel } from '../serving/sasrec-model';

// A small real dataset keeps this suite to seconds: all-beauty-2018 (2,169 users, 1,854 items).
const config = validateConfig({
  maxLen: 20,
  hidden: 16,
  blocks: 2,
  heads: 2,
  dropout: 0.2,
  epochs: 6,
  evalEvery: 3,
  patience: 0,
  batch: 128,
  lr: 0.005,
  seed: 3,
});

describe('SASRec on all-beauty-2018', () => {
  let trained: TrainedSasrec;
  let prepared: Awaited<ReturnType<typeof prepareDataset>>;
  let dir: string;

  beforeAll(async () => {
    prepared = await prepareDataset({ dataset: 'all-beauty-2018' });
    const loo = leaveOneOut(prepared.dataset);
    trained = await trainSasrec({
      dataset: prepared.dataset,
      datasetHash: prepared.manifest.hash,
      loo,
      config,
      validProtocol: parseProtocol('sampled:9'),
      silent: true,
    });
    dir = await mkdtemp(join(tmpdir(), 'ts-sasrec-'));
    await saveSasrec(dir, trained, {
      datasetName: prepared.name,
      manifestHash: prepared.manifest.hash,
      itemIds: prepared.dataset.itemIds,
      userIds: prepared.dataset.userIds,
      userHistories: sequencesBefore(loo, 'test'),
    });
  });
  afterAll(() => trained.trainer.dispose());

  it('learns: loss falls and validation beats chance', async () => {
    const first = trained.curve[0].loss;
    const last = trained.curve[trained.curve.length - 1].loss;
    expect(last).toBeLessThan(first);
    const valid = trained.curve.filter((p) => p.validHr10 !== undefined);
    expect(valid.length).toBe(2);
    const set = buildEvaluationSet({
      dataset: prepared.dataset,
      datasetHash: prepared.manifest.hash,
      split: 'test',
      protocol: parseProtocol('sampled:9'),
      seed: 1,
    });
    const run = await evaluateSasrec(trained.trainer, trained.model, config, set, {
      silent: true,
      resamples: 50,
    });
    // Chance HR@1 is 0.1 with 10 candidates.
    expect(run.report.metrics['HR@1'].low).toBeGreaterThan(0.1);
  });

  it('draws the learning curve: loss above validation metrics, a point per epoch', async () => {
    const svg = await readFile(join(dir, 'learning-curve.svg'), 'utf8');
    expect(svg).toMatch(/Y-axis titled 'training loss'/);
    expect(svg).toMatch(/Y-axis titled 'validation metrics'/);
    const valid = trained.curve.filter((p) => p.validHr10 !== undefined).length;
    // Loss every epoch; NDCG@10, HR@10 and HR@1 at each validation.
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(
      trained.curve.length + 3 * valid,
    );
  });

  it('exported graph agrees with the training graph forward', async () => {
    const histories = prepared.dataset.sequences
      .slice(0, 64)
      .map((s) => s.subarray(0, s.length - 1));
    const candidates = prepared.dataset.sequences
      .slice(0, 64)
      .map((_, i) => Int32Array.from([i % 1854, (i * 7) % 1854, (i * 13) % 1854]));
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
  });

  it('handles padding exactly: the padding row never influences a real position', async () => {
    const params = new Map(trained.trainer.parameters);
    const emb = (params.get('item_embedding') as Float32Array).slice();
    for (let j = 0; j < config.hidden; j++) emb[j] = 1000 * Math.sin(j + 1); // row 0 = padding
    params.set('item_embedding', emb);
    const poisoned = exportInference({
      outputs: { user_embedding: trained.model.userEmbedding },
      parameters: params,
    });
    const histories = [Int32Array.from([3, 4]), Int32Array.from([5])];
    const feeds = { seq: encodeHistories(histories, config.maxLen) };
    const reference = await trained.trainer.evaluate(feeds, {
      user_embedding: trained.model.userEmbedding,
    });
    expect(await verifyExport({ model: poisoned, feeds, reference, tolerance: 1e-4 })).toBeLessThan(
      1e-4,
    );
  });

  it('serves from the model directory: scores, top-k without history, same numbers both ways', async () => {
    const model = await SasrecModel.load(dir, { threads: 1 });
    try {
      const history = prepared.dataset.sequences[0].subarray(0, 3);
      const [viaGraph] = await model.scoreBatch([history], [Int32Array.from([1, 2, 3])]);
      const emb = await model.userEmbeddings([history]);
      const viaTable = model.scoreWithEmbedding(emb, 0, [1, 2, 3]);
      for (let i = 0; i < 3; i++) expect(viaGraph[i]).toBeCloseTo(viaTable[i], 3);
      const top = await model.topK(emb, 0, 10, history);
      expect(top).toHaveLength(10);
      for (const t of top) expect(Array.from(history)).not.toContain(t.item);
      for (let i = 1; i < top.length; i++)
        expect(top[i - 1].score).toBeGreaterThanOrEqual(top[i].score);
      // The best item scores at least as high as any other (brute force).
      const all = model.scoreWithEmbedding(
        emb,
        0,
        Array.from({ length: model.numItems }, (_, i) => i),
      );
      const allowed = Array.from(all).filter((_, i) => !Array.from(history).includes(i));
      expect(top[0].score).toBeCloseTo(Math.max(...allowed), 4);
      await expect(model.scoreBatch([history], [Int32Array.from([99999])])).rejects.toThrow(
        /candidates\[0\]: item index 99999/,
      );
    } finally {
      await model.dispose();
    }
  });

  it('full ranking on the engine gives the ranks of the spelled-out JS full protocol', async () => {
    const common = {
      dataset: prepared.dataset,
      datasetHash: prepared.manifest.hash,
      split: 'test' as const,
      seed: 1,
    };
    const opts = { silent: true, resamples: 20 };
    const spelled = buildEvaluationSet({ ...common, protocol: parseProtocol('full') });
    const want = await evaluateSasrec(trained.trainer, trained.model, config, spelled, opts);
    const got = await evaluateSasrec(
      trained.trainer,
      trained.model,
      config,
      buildFullRankingSet(common),
      opts,
    );
    expect(Array.from(got.ranks)).toEqual(Array.from(want.ranks));
    expect(new Set(got.ranks).size).toBeGreaterThan(100);
    // The served model ranks the same way from its saved tables.
    const model = await SasrecModel.load(dir, { threads: 1 });
    try {
      const cases = spelled.cases.slice(0, 300);
      const emb = await model.userEmbeddings(cases.map((c) => c.history));
      const ranks = await model.rankTargets(
        emb,
        cases.map((c) => c.target),
        cases.map((c) => prepared.dataset.sequences[c.user]),
        { silent: true },
      );
      const again = await evaluateSasrec(
        trained.trainer,
        trained.model,
        config,
        { ...spelled, cases, candidates: spelled.candidates.slice(0, 300) },
        opts,
      );
      expect(Array.from(ranks)).toEqual(Array.from(again.ranks));
    } finally {
      await model.dispose();
    }
  });

  it('served top-k equals the sequential JS loop it replaced (score desc, item asc)', async () => {
    const model = await SasrecModel.load(dir, { threads: 1 });
    try {
      const d = model.hidden;
      const histories = prepared.dataset.sequences.slice(0, 200).map((s) => s.subarray(0, 4));
      const emb = await model.userEmbeddings(histories);
      for (let u = 0; u < histories.length; u++) {
        const got = await model.topK(emb, u, 20, histories[u]);
        const skip = new Set(histories[u]);
        const scored: { item: number; score: number }[] = [];
        for (let item = 0; item < model.numItems; item++) {
          if (skip.has(item)) continue;
          let s = 0;
          for (let j = 0; j < d; j++) s += emb[u * d + j] * model.itemEmbedding[(item + 1) * d + j];
          scored.push({ item, score: s });
        }
        scored.sort((a, b) => b.score - a.score || a.item - b.item);
        expect(got).toEqual(scored.slice(0, 20));
      }
      expect(await model.topK(emb, 0, 0, [])).toEqual([]);
    } finally {
      await model.dispose();
    }
  });

  it("similar users on the engine equal the pipeline's JS loop over SASRec user states", async () => {
    // The loop of packages/cli/src/pipeline/context.ts: cosine, skip self, score desc, user asc.
    const model = await SasrecModel.load(dir, { threads: 1 });
    try {
      const d = model.hidden;
      const pool = model.userEmbedding;
      const nPool = pool.length / d;
      const k = 10;
      const users = Array.from({ length: 400 }, (_, i) => (i * 5) % nPool);
      const queries = new Float32Array(users.length * d);
      users.forEach((u, i) => queries.set(pool.subarray(u * d, (u + 1) * d), i * d));
      const engine = await createTopK({ table: pool, dim: d, metric: 'cosine', threads: 1 });
      const got = await engine.search({ queries, k, exclude: (i) => [users[i]], silent: true });
      await engine.dispose();
      const poolNorm = new Float64Array(nPool);
      for (let u = 0; u < nPool; u++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += pool[u * d + j] ** 2;
        poolNorm[u] = Math.sqrt(s) || 1;
      }
      users.forEach((user, i) => {
        let qn = 0;
        for (let j = 0; j < d; j++) qn += queries[i * d + j] ** 2;
        qn = Math.sqrt(qn) || 1;
        const best: { u: number; s: number }[] = [];
        for (let u = 0; u < nPool; u++) {
          if (u === user) continue;
          let s = 0;
          for (let j = 0; j < d; j++) s += queries[i * d + j] * pool[u * d + j];
          s /= qn * poolNorm[u];
          if (best.length < k || s > best[best.length - 1].s) {
            best.push({ u, s });
            best.sort((a, b) => b.s - a.s || a.u - b.u);
            if (best.length > k) best.pop();
          }
        }
        expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(best.map((b) => b.u));
        expect(Array.from(got.scores.subarray(i * k, (i + 1) * k))).toEqual(best.map((b) => b.s));
      });
    } finally {
      await model.dispose();
    }
  });

  it("serves short histories through 8- and 16-position windows: the file's outputs to 1e-5, longer ones through the file", async () => {
    const file = await SasrecModel.load(dir, { threads: 1 });
    const windowed = await SasrecModel.load(dir, { threads: 1, windows: true });
    try {
      expect(file.windowLengths).toEqual([]);
      expect(windowed.windowLengths).toEqual([8, 16]);
      const item = (i: number) => (i * 37) % file.numItems;
      const candidates = Int32Array.from([1, 2, 3, 400, 1200]);
      // Lengths 1..16 take a window (8 and 16 at its edge), 17..20 and 30 (cut to maxLen) the file.
      for (const length of [1, 3, 8, 9, 16, 17, 30]) {
        const history = Int32Array.from({ length }, (_, i) => item(i + length));
        const [want] = await file.scoreBatch([history], [candidates]);
        const [got] = await windowed.scoreBatch([history], [candidates]);
        const wantState = await file.userEmbeddings([history]);
        const gotState = await windowed.userEmbeddings([history]);
        const worst = Math.max(
          ...Array.from(want, (x, i) => Math.abs(x - got[i])),
          ...Array.from(wantState, (x, i) => Math.abs(x - gotState[i])),
        );
        expect(worst).toBeLessThanOrEqual(1e-5);
        if (length > 16) {
          expect(Array.from(got)).toEqual(Array.from(want));
          expect(Array.from(gotState)).toEqual(Array.from(wantState));
        }
      }
      // A batch takes the window of its longest history.
      const batch = [Int32Array.from([5]), Int32Array.from({ length: 12 }, (_, i) => item(i))];
      const states = await windowed.userEmbeddings(batch);
      const alone = await file.userEmbeddings(batch);
      for (let i = 0; i < states.length; i++)
        expect(Math.abs(states[i] - alone[i])).toBeLessThanOrEqual(1e-5);
    } finally {
      await Promise.all([file.dispose(), windowed.dispose()]);
    }
  });

  it('refuses windows whose checkpoint disagrees with model.onnx, naming the directory', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'ts-sasrec-window-'));
    for (const f of ['model.onnx', 'user-encoder.onnx', 'users.safetensors'])
      await writeFile(join(broken, f), await readFile(join(dir, f)));
    // The last position's embedding (every window's newest item) moved: the file still has the old one.
    const ckpt = decodeSafetensors(await readFile(join(dir, 'checkpoint.safetensors')));
    const pos = ckpt.tensors.find((t) => t.name === 'position_embedding')!;
    const data = Float32Array.from(pos.data as Float32Array);
    for (let j = 0; j < config.hidden; j++) data[(config.maxLen - 1) * config.hidden + j] += 0.5;
    const bytes = encodeSafetensors({
      ...ckpt,
      tensors: ckpt.tensors.map((t) => (t === pos ? { ...t, data } : t)),
    });
    await writeFile(join(broken, 'checkpoint.safetensors'), bytes);
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    manifest.sha256['checkpoint.safetensors'] = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(broken, 'model.json'), JSON.stringify(manifest));
    await expect(SasrecModel.load(broken, { threads: 1, windows: true })).rejects.toThrow(
      new RegExp(
        `${broken}: the 8-position serving window's scores differs from the model file by`,
      ),
    );
    // Without windows the directory serves as trained.
    await (await SasrecModel.load(broken, { threads: 1 })).dispose();
  });

  it('refuses a model directory that does not match its manifest', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    manifest.config.hidden = 32;
    const broken = await mkdtemp(join(tmpdir(), 'ts-sasrec-bad-'));
    for (const f of [
      'model.onnx',
      'user-encoder.onnx',
      'checkpoint.safetensors',
      'users.safetensors',
    ])
      await writeFile(join(broken, f), await readFile(join(dir, f)));
    await writeFile(join(broken, 'model.json'), JSON.stringify(manifest));
    await expect(loadSasrec(broken)).rejects.toThrow(
      /item_embedding is \[1855, 16\], manifest expects \[1855, 32\]/,
    );
    await expect(loadSasrec(join(broken, 'nope'))).rejects.toThrow(/no SASRec model/);
  });

  it('refuses a truncated model.onnx or users.safetensors, naming the file', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'ts-sasrec-trunc-'));
    for (const f of [
      'model.json',
      'model.onnx',
      'user-encoder.onnx',
      'checkpoint.safetensors',
      'users.safetensors',
    ])
      await writeFile(join(broken, f), await readFile(join(dir, f)));
    const onnx = await readFile(join(dir, 'model.onnx'));
    await writeFile(join(broken, 'model.onnx'), onnx.subarray(0, onnx.length >> 1));
    await expect(loadSasrec(broken)).rejects.toThrow(
      new RegExp(`${join(broken, 'model.onnx')} does not match the manifest`),
    );
    await writeFile(join(broken, 'model.onnx'), onnx);
    await writeFile(join(broken, 'users.safetensors'), Buffer.alloc(10));
    await expect(loadSasrec(broken)).rejects.toThrow(
      /users\.safetensors does not match the manifest/,
    );
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    delete manifest.sha256;
    await writeFile(join(broken, 'model.json'), JSON.stringify(manifest));
    await expect(loadSasrec(broken)).rejects.toThrow(/model\.json: no sha256 table/);
  });
});
