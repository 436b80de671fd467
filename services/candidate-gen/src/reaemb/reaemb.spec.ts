/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import {
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  type Dataset,
  type LeaveOneOut,
} from '@thoughtspace/data';
import { exportInference, verifyExport } from '@thoughtspace/engine';
import { itemEmbeddingInit } from './adapter';
import { validateReaEmbConfig } from './config';
import { coOccurrence, crrlGroups, crrlReward, groupAdvantages, rankOfPositive } from './crrl';
import { buildReaEmbInference } from './graph';
import { pca } from './pca';
import { trainReaEmb, type ReaEmbResult } from './train';
import { validateConfig } from '../sasrec/config';
import { trainSasrec } from '../sasrec/train';
import { validateGru4recConfig } from '../gru4rec/config';
import { trainGru4rec } from '../gru4rec/train';

describe('CRRL reward and advantages', () => {
  it('match hand-computed values', () => {
    // Positive first; ranks 0, 2, 1 and 9 among 10 candidates.
    const groups = [
      [0.9, 0.1, 0.2, 0.3, 0, 0, 0, 0, 0, 0],
      [0.5, 0.6, 0.7, 0.1, 0, 0, 0, 0, 0, 0],
      [0.5, 0.6, 0.5, 0.1, 0, 0, 0, 0, 0, 0],
      [-1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    ];
    const ranks = groups.map(rankOfPositive);
    expect(ranks).toEqual([0, 2, 1, 9]);
    const rewards = ranks.map(crrlReward);
    // 1 / (1 + log2(rank + 2))
    const expected = [0.5, 1 / 3, 0.38685280723454163, 0.22424382421757544];
    rewards.forEach((r, i) => expect(r).toBeCloseTo(expected[i], 12));
    // mean 0.3611074911963626, population sd 0.09931895272750695
    const adv = groupAdvantages(rewards);
    const hand = [
      1.3984351078448582, -0.2796432851637589, 0.25921595138907866, -1.3780077740701782,
    ];
    adv.forEach((a, i) => expect(a).toBeCloseTo(hand[i], 5));
    expect(groupAdvantages([0.5, 0.5, 0.5])).toEqual([0, 0, 0]);
  });
});

describe('ReaEmb on all-beauty-2018', () => {
  let dataset: Dataset;
  let loo: LeaveOneOut;
  let result: ReaEmbResult;
  const config = validateReaEmbConfig({
    maxTokens: 16,
    vocabulary: 2000,
    hidden: 16,
    heads: 2,
    batch: 32,
    lrclEpochs: 2,
    crrlEpochs: 1,
    crrlAnchors: 128,
    group: 4,
    seed: 7,
  });

  beforeAll(async () => {
    dataset = (await prepareDataset({ dataset: 'all-beauty-2018' })).dataset;
    loo = leaveOneOut(dataset);
    result = await trainReaEmb({ dataset, loo, config, silent: true });
  });

  it('counts co-occurrence on training positions only', () => {
    const counts = coOccurrence(loo.train, config.window);
    const full = coOccurrence(dataset.sequences, config.window);
    const brute = (seqs: readonly ArrayLike<number>[], a: number, b: number) => {
      let n = 0;
      for (const s of seqs)
        for (let i = 0; i < s.length; i++)
          for (let j = i + 1; j <= Math.min(s.length - 1, i + config.window); j++)
            if ((s[i] === a && s[j] === b) || (s[i] === b && s[j] === a)) n++;
      return n;
    };
    let differs = 0;
    for (const c of loo.test.slice(0, 200)) {
      const prev = c.history[c.history.length - 1];
      const got = counts.get(c.target)?.get(prev) ?? 0;
      expect(got).toBe(brute(loo.train, c.target, prev));
      if ((full.get(c.target)?.get(prev) ?? 0) > got) differs++;
    }
    // The check is sensitive: counting whole sequences would add the test positions.
    expect(differs).toBeGreaterThan(100);
    const groups = crrlGroups({ counts, numItems: dataset.itemIds.length, seed: 1 });
    for (const g of groups.slice(0, 300)) {
      expect(g.negatives).toHaveLength(9);
      const row = counts.get(g.anchor) as Map<number, number>;
      expect(row.get(g.positive)).toBe(Math.max(...row.values()));
      for (const n of g.negatives) expect(row.has(n)).toBe(false);
    }
  });

  it('LRCL lowers its loss and learns a temperature; CRRL runs from the LRCL parameters', () => {
    expect(result.lrcl.losses[1]).toBeLessThan(result.lrcl.losses[0]);
    expect(result.lrcl.temperature).not.toBeCloseTo(config.temperature, 4);
    expect(result.crrl?.meanReward[0]).toBeGreaterThan(0.2);
    const a = result.lrcl.embeddings;
    const b = result.crrl?.embeddings as Float32Array;
    expect(a.every(Number.isFinite) && b.every(Number.isFinite)).toBe(true);
    expect(a.length).toBe(dataset.itemIds.length * config.hidden);
    let moved = 0;
    for (let i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i] - b[i]));
    expect(moved).toBeGreaterThan(1e-4);
  });

  it('exports an inference model equal to the training graph', async () => {
    const model = buildReaEmbInference(config, result.vocabulary.length);
    const bytes = exportInference({
      outputs: { embedding: model.embedding },
      parameters: result.crrl?.parameters as Map<string, Float32Array>,
    });
    const n = 5;
    const T = config.maxTokens;
    const d = config.hidden;
    const reference = (result.crrl?.embeddings as Float32Array).slice(0, n * d);
    const worst = await verifyExport({
      model: bytes,
      feeds: { tokens: { dtype: 'int64', dims: [n, T], data: result.tokens.slice(0, n * T) } },
      reference: { embedding: { dtype: 'float32', dims: [n, d], data: reference } },
      tolerance: 1e-4,
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it('reduces embeddings by PCA into a SASRec item table', () => {
    const n = dataset.itemIds.length;
    const reduced = pca(result.lrcl.embeddings, n, config.hidden, 4);
    const variance = [0, 1, 2, 3].map((c) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += reduced[i * 4 + c] ** 2;
      return s / n;
    });
    for (let c = 1; c < 4; c++) expect(variance[c]).toBeLessThanOrEqual(variance[c - 1] * 1.0001);
    let cross = 0;
    for (let i = 0; i < n; i++) cross += reduced[i * 4] * reduced[i * 4 + 1];
    expect(Math.abs(cross / n)).toBeLessThan(1e-3 * variance[0]);
    const table = itemEmbeddingInit({
      embeddings: result.lrcl.embeddings,
      numItems: n,
      dim: config.hidden,
      hidden: 8,
    });
    expect(table.length).toBe((n + 1) * 8);
    expect(table.slice(0, 8).every((v) => v === 0)).toBe(true);
    expect(() =>
      itemEmbeddingInit({
        embeddings: result.lrcl.embeddings,
        numItems: n,
        dim: config.hidden,
        hidden: 32,
      }),
    ).toThrow(/hidden/);
  });

  it('initialises SASRec through the adapter (its item table starts from the ReaEmb vectors)', async () => {
    const n = dataset.itemIds.length;
    const table = itemEmbeddingInit({
      embeddings: result.crrl?.embeddings as Float32Array,
      numItems: n,
      dim: config.hidden,
      hidden: 8,
    });
    const trained = await trainSasrec({
      dataset,
      datasetHash: 'test',
      loo,
      config: validateConfig({
        maxLen: 10,
        hidden: 8,
        blocks: 1,
        heads: 1,
        epochs: 1,
        lr: 1e-9,
        batch: 256,
        patience: 0,
      }),
      validProtocol: parseProtocol('sampled:9'),
      silent: true,
      initialParameters: new Map([['item_embedding', table]]),
    });
    const got = trained.trainer.parameters.get('item_embedding') as Float32Array;
    let worst = 0;
    for (let i = 8; i < table.length; i++) worst = Math.max(worst, Math.abs(got[i] - table[i]));
    expect(worst).toBeLessThan(1e-5);
    await trained.trainer.dispose();
  });

  it('can freeze the ReaEmb item table in SASRec', async () => {
    const n = dataset.itemIds.length;
    const table = itemEmbeddingInit({
      embeddings: result.lrcl.embeddings,
      numItems: n,
      dim: config.hidden,
      hidden: 8,
    });
    const trained = await trainSasrec({
      dataset,
      datasetHash: 'test',
      loo,
      config: validateConfig({
        maxLen: 10,
        hidden: 8,
        blocks: 1,
        heads: 1,
        epochs: 1,
        lr: 0.01,
        batch: 256,
        patience: 0,
      }),
      validProtocol: parseProtocol('sampled:9'),
      silent: true,
      initialParameters: new Map([['item_embedding', table]]),
      freezeItemEmbedding: true,
    });
    expect(Array.from(trained.trainer.parameters.get('item_embedding') as Float32Array)).toEqual(
      Array.from(table),
    );
    await trained.trainer.dispose();
  });
  it('initialises GRU4Rec through the same adapter, frozen or fine-tuned', async () => {
    const n = dataset.itemIds.length;
    const table = itemEmbeddingInit({
      embeddings: result.crrl?.embeddings as Float32Array,
      numItems: n,
      dim: config.hidden,
      hidden: 8,
    });
    const gruConfig = validateGru4recConfig({
      maxLen: 10,
      hidden: 8,
      gruHidden: 8,
      epochs: 1,
      lr: 0.01,
      batch: 256,
      patience: 0,
    });
    const run = (freezeItemEmbedding: boolean) =>
      trainGru4rec({
        dataset,
        datasetHash: 'test',
        loo,
        config: gruConfig,
        validProtocol: parseProtocol('sampled:9'),
        silent: true,
        initialParameters: new Map([['item_embedding', table]]),
        freezeItemEmbedding,
      });
    const frozen = await run(true);
    expect(Array.from(frozen.trainer.parameters.get('item_embedding') as Float32Array)).toEqual(
      Array.from(table),
    );
    await frozen.trainer.dispose();
    const tuned = await run(false);
    const got = tuned.trainer.parameters.get('item_embedding') as Float32Array;
    let moved = 0;
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let i = 8; i < table.length; i++) {
      moved = Math.max(moved, Math.abs(got[i] - table[i]));
      dot += got[i] * table[i];
      a += got[i] * got[i];
      b += table[i] * table[i];
    }
    // Fine-tuned: the table moves, but one epoch leaves it close to where ReaEmb put it.
    expect(moved).toBeGreaterThan(1e-3);
    expect(dot / Math.sqrt(a * b)).toBeGreaterThan(0.5);
    await tuned.trainer.dispose();
  });
});
