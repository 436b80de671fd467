/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
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
import { verifyExport, exportInference } from '@thoughtspace/engine';
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
      const top = model.topK(emb, 0, 10, history);
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
