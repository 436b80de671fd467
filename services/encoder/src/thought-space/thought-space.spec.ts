/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaveOneOut, prepareDataset } from '@thoughtspace/data';
import { verifyExport, exportInference } from '@thoughtspace/engine';
import { buildPairs } from '../experiment/pairs';
import { ThoughtSpaceModel } from '../serving/thought-space-model';
import { saveThoughtSpace } from './artifact';
import { towerFeeds } from './encode';
import { evaluateRecall, type RecallResult } from './evaluate';
import { projectionSample, projectionSvg } from './projection';
import { splitByUser, ThoughtSpace, type ThoughtPair } from './train';

const GLOVE = '/work/shared/models/glove-6B-50d-10k/glove.6B.50d.10k.zip';

// Small towers so the suite stays fast; the documented figures use the defaults.
const TEST_CONFIG = {
  dim: 32,
  embeddingDim: 50,
  outputDim: 32,
  heads: 2,
  blocks: 1,
  rationaleTokens: 32,
  behaviourTokens: 32,
  epochs: 1,
  groupsPerStep: 16,
  lr: 0.003,
  wordVectors: GLOVE,
  seed: 3,
};

describe('Thought Space on luxury-beauty-2018 (real pairs)', () => {
  let space: ThoughtSpace;
  let heldOut: ThoughtPair[];
  let untrained: RecallResult;
  let trained: RecallResult;
  let dir: string;
  let hash: string;

  beforeAll(async () => {
    const { dataset, manifest, name } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
    hash = manifest.hash;
    const pairs = buildPairs(dataset, leaveOneOut(dataset));
    const split = splitByUser(pairs, 0.2, 3);
    heldOut = split.heldOut.slice(0, 600);
    // 3,520 training pairs (20 steps of 16 groups of 11): enough to clear chance by far.
    const train = split.train.slice(0, 3520);
    space = await ThoughtSpace.create({ pairs: train, config: TEST_CONFIG });
    untrained = await evaluateRecall(space, heldOut, { seed: 3 });
    await space.fit({ pairs: train, silent: true });
    trained = await evaluateRecall(space, heldOut, { seed: 3 });
    dir = await mkdtemp(join(tmpdir(), 'ts-encoder-'));
    await saveThoughtSpace(dir, space, {
      datasetName: name,
      manifestHash: hash,
      catalogue: dataset.items.map((it, i) => ({ id: dataset.itemIds[i], title: it.title ?? '' })),
    });
  });
  afterAll(async () => {
    await space?.dispose();
  });

  it('splits users disjointly and deterministically', () => {
    const { train, heldOut: held } = splitByUser(
      heldOut.concat([{ behaviour: 'b', rationale: 'r', user: 'x' }]),
      0.5,
      1,
    );
    const users = new Set(train.map((p) => p.user));
    expect(held.every((p) => !users.has(p.user))).toBe(true);
    expect(splitByUser(heldOut, 0.5, 1)).toEqual(splitByUser(heldOut, 0.5, 1));
  });

  it('initialises the token table from GloVe (words it covers)', () => {
    expect(space.summary.wordVectorsCovered / space.tokenizer.size).toBeGreaterThan(0.3);
  });

  it('held-out recall@1 among 11 beats chance (CI) and the untrained towers', () => {
    const chance = 1 / 11;
    expect(trained.chance).toBeCloseTo(chance, 12);
    expect(trained.recallAt1.low).toBeGreaterThan(chance);
    expect(trained.recallAt1.mean).toBeGreaterThan(untrained.recallAt1.high);
    expect(space.summary.curve[0].loss).toBeLessThan(Math.log(11));
  });

  it('padding is exact: ids under a 0 mask do not change the embedding', async () => {
    const feeds = towerFeeds(space.tokenizer, space.config, 'behaviour', [
      heldOut[0].behaviour,
      'dry shampoo',
    ]);
    const ids = feeds.behaviour_tokens.data as BigInt64Array;
    const mask = feeds.behaviour_mask.data as Float32Array;
    const scrambled = ids.slice();
    for (let i = 0; i < scrambled.length; i++)
      if (mask[i] === 0) scrambled[i] = BigInt(2 + ((i * 7919) % (space.tokenizer.size - 2)));
    expect(scrambled).not.toEqual(ids);
    const out = { behaviour_embedding: space.model.behaviour.embedding };
    const a = await space.trainer.evaluate(feeds, out);
    const b = await space.trainer.evaluate(
      { ...feeds, behaviour_tokens: { ...feeds.behaviour_tokens, data: scrambled } },
      out,
    );
    expect(Array.from(b.behaviour_embedding.data as Float32Array)).toEqual(
      Array.from(a.behaviour_embedding.data as Float32Array),
    );
  });

  it('the export agrees with the training forward and the loaded model serves the same embeddings', async () => {
    const texts = heldOut.slice(0, 7).map((p) => p.rationale);
    const feeds = towerFeeds(space.tokenizer, space.config, 'rationale', texts);
    const outputs = { rationale_embedding: space.model.rationale.embedding };
    const diff = await verifyExport({
      model: exportInference({ outputs, parameters: space.parameters }),
      feeds,
      reference: await space.trainer.evaluate(feeds, outputs),
    });
    expect(diff).toBeLessThan(1e-5);

    const model = await ThoughtSpaceModel.load(dir, { threads: 1 });
    try {
      const served = await model.encodeRationales(texts);
      const direct = await space.encodeRationales(texts);
      served.forEach((e, i) =>
        e.forEach((v, j) => expect(Math.abs(v - direct[i][j])).toBeLessThan(1e-5)),
      );
      const [b] = await model.encodeBehaviours([heldOut[0].behaviour]);
      expect(Math.hypot(...b)).toBeCloseTo(1, 5);
      const cos = await model.agreement(heldOut[0].rationale, heldOut[0].behaviour);
      expect(cos).toBeCloseTo(
        b.reduce((s, v, j) => s + v * served[0][j], 0),
        5,
      );
      expect(cos).toBeGreaterThanOrEqual(-1);
      expect(cos).toBeLessThanOrEqual(1);
      expect(model.manifest.dataset.manifestHash).toBe(hash);
    } finally {
      await model.dispose();
    }
  });

  it('load refuses a directory that does not match its manifest', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'ts-encoder-bad-'));
    for (const f of [
      'model.json',
      'rationale-encoder.onnx',
      'checkpoint.safetensors',
      'catalogue.json',
    ])
      await copyFile(join(dir, f), join(broken, f));
    // behaviour-encoder.onnx replaced by the rationale tower: same format, wrong file.
    await copyFile(join(dir, 'rationale-encoder.onnx'), join(broken, 'behaviour-encoder.onnx'));
    await expect(ThoughtSpaceModel.load(broken)).rejects.toThrow(
      /behaviour-encoder.onnx does not match the manifest/,
    );
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    await copyFile(join(dir, 'behaviour-encoder.onnx'), join(broken, 'behaviour-encoder.onnx'));
    await writeFile(
      join(broken, 'model.json'),
      JSON.stringify({ ...manifest, vocab: manifest.vocab.slice(0, -1) }),
    );
    await expect(ThoughtSpaceModel.load(broken)).rejects.toThrow(/token table is \[\d+, 50\]/);
    await expect(ThoughtSpaceModel.load(join(broken, 'nope'))).rejects.toThrow(/no encoder model/);
  });

  it('draws the before/after projection as SVG', async () => {
    const sample = await projectionSample(space, heldOut, trained.negativeIndex, 20);
    const svg = await projectionSvg({ title: 't', panels: [{ title: 'after', sample }] });
    expect(svg.startsWith('<svg')).toBe(true);
    // 20 behaviours, their 20 rationales and 20 other users' rationales; a link from each behaviour.
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(60);
    expect(svg.match(/aria-roledescription="rule mark"/g)).toHaveLength(20);
    expect(svg).toMatch(/X-axis titled 'PC 1 \(\d+% of variance\)'/);
  });
});
