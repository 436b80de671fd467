/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';
import { buildClassifier, classifierBatch } from './internal/fixtures';
import { Graph } from './internal/graph';
import { adamW } from './optim';
import { log, reduceSum } from './ops';
import { compileTrainingStep, Trainer } from './trainer';
import { loadCheckpoint, readSafetensors, saveCheckpoint } from './checkpoint';
import { exportInference, verifyExport } from './export';
import { constantInit } from './init';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function classifierTrainer(
  options: { hidden?: number; preallocate?: boolean } = {},
): Promise<Trainer> {
  const m = buildClassifier({ hidden: options.hidden });
  return Trainer.create({
    graph: m.graph,
    loss: m.loss,
    optimizer: adamW({ weightDecay: 0.01 }),
    clipNorm: 5,
    seed: 42,
    threads: 1,
    preallocate: options.preallocate,
  });
}

const lr = 0.03;

describe('Trainer', () => {
  test('loss falls on a learnable task', async () => {
    const t = await classifierTrainer();
    const first = (await t.trainStep(classifierBatch(1000), { lr })).loss;
    let last = first;
    for (let s = 0; s < 60; s++) last = (await t.trainStep(classifierBatch(s % 10), { lr })).loss;
    expect(last).toBeLessThan(first * 0.7);
    expect(t.step).toBe(61);
    await t.dispose();
  });

  test('fit runs one step per batch, reports each step and ticks progress', async () => {
    const t = await classifierTrainer();
    const seen: number[] = [];
    const ticks: number[] = [];
    const progress = {
      tick: (n = 1) => ticks.push(n),
      update: () => undefined,
      done: () => ticks.push(-1),
    };
    const mean = await t.fit({
      batches: [0, 1, 2].map((s) => classifierBatch(s)),
      lr: (step) => 0.01 * step,
      onStep: (r) => seen.push(r.loss),
      progress,
    });
    expect(seen).toHaveLength(3);
    expect(mean).toBeCloseTo((seen[0] + seen[1] + seen[2]) / 3, 6);
    expect(ticks).toEqual([1, 1, 1, -1]);
    await t.dispose();
  });

  test('pre-allocated outputs and fetched outputs give identical steps', async () => {
    const a = await classifierTrainer({ preallocate: true });
    const b = await classifierTrainer({ preallocate: false });
    for (let s = 0; s < 4; s++) {
      const batch = classifierBatch(s);
      expect((await a.trainStep(batch, { lr })).loss).toBe((await b.trainStep(batch, { lr })).loss);
    }
    expect(a.parameters.get('w1')).toEqual(b.parameters.get('w1'));
    await a.dispose();
    await b.dispose();
  });

  test('resuming from a checkpoint reproduces the uninterrupted loss trajectory exactly', async () => {
    const full = await classifierTrainer();
    const expected: number[] = [];
    for (let s = 0; s < 8; s++)
      expected.push((await full.trainStep(classifierBatch(s), { lr })).loss);

    const first = await classifierTrainer();
    const got: number[] = [];
    for (let s = 0; s < 4; s++) got.push((await first.trainStep(classifierBatch(s), { lr })).loss);
    const path = join(dir, 'resume.safetensors');
    await saveCheckpoint(first, path, { model: 'classifier', hidden: 16 });
    await first.dispose();

    const second = await classifierTrainer();
    const info = await loadCheckpoint(second, path);
    expect(info).toMatchObject({
      step: 4,
      seed: 42,
      optimizer: { name: 'adamw' },
      config: { hidden: 16 },
    });
    for (let s = 4; s < 8; s++) got.push((await second.trainStep(classifierBatch(s), { lr })).loss);
    expect(got).toEqual(expected);
    expect(second.parameters.get('emb')).toEqual(full.parameters.get('emb'));
    await second.dispose();
    await full.dispose();
  });

  test('checkpoints are plain safetensors: weights under their own names, optimizer state and metadata', async () => {
    const t = await classifierTrainer();
    await t.trainStep(classifierBatch(0), { lr });
    const path = join(dir, 'layout.safetensors');
    await saveCheckpoint(t, path);
    const file = await readSafetensors(path);
    const emb = file.tensors.find((x) => x.name === 'emb');
    expect(emb?.shape).toEqual([20, 8]);
    expect(emb?.dtype).toBe('float32');
    expect(emb?.data).toEqual(t.parameters.get('emb'));
    expect(file.tensors.map((x) => x.name)).toContain('optimizer.m.w1');
    expect(file.metadata.step).toBe('1');
    await t.dispose();
  });

  test('a checkpoint of another model names the first mismatching tensor', async () => {
    const t = await classifierTrainer({ hidden: 16 });
    const path = join(dir, 'mismatch.safetensors');
    await saveCheckpoint(t, path);
    const other = await classifierTrainer({ hidden: 12 });
    await expect(loadCheckpoint(other, path)).rejects.toThrow(
      /tensor w1 is \[8,16\] float32 in the checkpoint, \[8,12\] float32 in the model/,
    );
    await expect(loadCheckpoint(other, path)).rejects.toBeInstanceOf(FailedPreconditionError);
    await t.dispose();
    await other.dispose();
  });

  test('a non-finite loss stops training with the step number and keeps the parameters', async () => {
    const feed = (v: number) => ({
      x: { dtype: 'float32' as const, dims: [2], data: Float32Array.from([v, v]) },
    });
    const g2 = new Graph();
    const x2 = g2.input('x', [2]);
    const p2 = g2.parameter('p', [2], { init: constantInit(1) });
    const t2 = await Trainer.create({
      graph: g2,
      loss: reduceSum(log(g2.apply('Mul', [x2, p2]))),
      optimizer: adamW(),
      threads: 1,
    });
    await t2.trainStep(feed(2), { lr: 0.1 });
    const before = Float32Array.from(t2.parameters.get('p') as Float32Array);
    await expect(t2.trainStep(feed(-1), { lr: 0.1 })).rejects.toThrow(/loss is NaN at step 2/);
    expect(t2.parameters.get('p')).toEqual(before);
    expect(t2.step).toBe(1);
    await t2.dispose();
  });

  test('frozen parameters are fed but never updated', async () => {
    const g = new Graph();
    const x = g.input('x', [2]);
    const frozen = g.parameter('frozen', [2], { init: constantInit(3), trainable: false });
    const p = g.parameter('p', [2], { init: constantInit(1) });
    const loss = reduceSum(g.apply('Mul', [g.apply('Mul', [x, p]), frozen]));
    const t = await Trainer.create({ graph: g, loss, optimizer: adamW(), threads: 1 });
    expect(t.trainable.map((q) => q.name)).toEqual(['p']);
    const feeds = { x: { dtype: 'float32' as const, dims: [2], data: Float32Array.from([1, 2]) } };
    await t.trainStep(feeds, { lr: 0.1 });
    expect(Array.from(t.parameters.get('frozen') as Float32Array)).toEqual([3, 3]);
    expect((t.parameters.get('p') as Float32Array)[0]).toBeLessThan(1);
    await t.dispose();
  });

  test('feeds with the wrong shape are rejected naming the input', async () => {
    const t = await classifierTrainer();
    const bad = classifierBatch(0);
    bad.tokens = { ...bad.tokens, dims: [8, 8] };
    await expect(t.trainStep(bad, { lr })).rejects.toThrow(
      /feed tokens: got \[8,8\] int64, expected \[batch,4\] int64/,
    );
    await expect(t.trainStep(bad, { lr })).rejects.toBeInstanceOf(InvalidArgumentError);
    await t.dispose();
  });

  test('export with weights as initializers matches the training graph forward, at another batch size', async () => {
    const m = buildClassifier();
    const t = await Trainer.create({
      graph: m.graph,
      loss: m.loss,
      optimizer: adamW(),
      seed: 3,
      threads: 1,
    });
    for (let s = 0; s < 5; s++) await t.trainStep(classifierBatch(s), { lr });
    const model = exportInference({ outputs: { logits: m.logits }, parameters: t.parameters });
    const proto = onnx.ModelProto.decode(model);
    expect(proto.graph?.input?.map((i) => i.name)).toEqual(['tokens']);
    expect(proto.graph?.input?.[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('batch');
    expect(proto.graph?.initializer?.map((i) => i.name)).toContain('emb');
    expect(proto.graph?.node?.some((n) => n.opType === 'ScatterND')).toBe(false);
    for (const batch of [1, 7]) {
      const feeds = { tokens: classifierBatch(99, batch).tokens };
      const reference = await t.evaluate(feeds, { logits: m.logits });
      expect(reference.logits.dims).toEqual([batch, 3]);
      const diff = await verifyExport({ model, feeds, reference, tolerance: 1e-5 });
      expect(diff).toBeLessThanOrEqual(1e-5);
    }
    await t.dispose();
  });
});

describe('emission', () => {
  test('the same model emits byte-identical ONNX (forward, backward and update)', () => {
    const bytes = () => {
      const m = buildClassifier();
      return Buffer.from(
        compileTrainingStep({ graph: m.graph, loss: m.loss, optimizer: adamW(), clipNorm: 1 }).model
          .bytes,
      );
    };
    const a = bytes();
    expect(a.length).toBeGreaterThan(1000);
    expect(a.equals(bytes())).toBe(true);
  });

  test('shape mismatches fail at build time naming the op and both shapes', () => {
    const g = new Graph();
    const a = g.input('a', [3, 4]);
    const b = g.input('b', [5, 6]);
    expect(() => g.apply('MatMul', [a, b])).toThrow(
      'MatMul: inner dimensions differ (4 vs 5) (shapes [3,4] and [5,6])',
    );
    expect(() => g.apply('Add', [a, b])).toThrow(
      /Add: dimension 0 does not broadcast \(3 vs 5\) \(shapes \[3,4\] and \[5,6\]\)/,
    );
    expect(() => g.apply('Add', [a, b])).toThrow(InvalidArgumentError);
  });
});
