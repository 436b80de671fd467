/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { Graph } from './internal/graph';
import { constantInit } from './init';
import { adam, adamW, sgd, warmupCosine, Optimizer } from './optim';
import { mul, reduceSum } from './ops';
import { Trainer } from './trainer';

const P0 = [0.5, -1.5, 2];
const LR = 0.1;

/** loss = 0.5 * sum(w * p^2) so the gradient is w * p and changes every step. */
async function run(
  optimizer: Optimizer,
  steps: number,
  clipNorm?: number,
): Promise<{ params: number[][]; norms: number[] }> {
  const g = new Graph({ dtype: 'float64' });
  const p = g.parameter('p', [3], { init: { kind: 'fixed', fill: (out) => out.set(P0) } });
  const w = g.constant([1, 2, 3], [3]);
  const trainer = await Trainer.create({
    graph: g,
    loss: mul(reduceSum(mul(mul(p, p), w)), 0.5),
    optimizer,
    clipNorm,
    threads: 1,
  });
  const params: number[][] = [];
  const norms: number[] = [];
  for (let s = 0; s < steps; s++) {
    const r = await trainer.trainStep({}, { lr: LR });
    norms.push(r.gradNorm);
    params.push([...(trainer.parameters.get('p') as Float64Array)]);
  }
  await trainer.dispose();
  return { params, norms };
}

function reference(kind: 'adam' | 'adamw', steps: number, wd: number): number[][] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const p = [...P0];
  const m = [0, 0, 0];
  const v = [0, 0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < 3; i++) {
      let g = (i + 1) * p[i];
      if (kind === 'adam') g += wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mhat = m[i] / (1 - b1 ** t);
      const vhat = v[i] / (1 - b2 ** t);
      const decay = kind === 'adamw' ? LR * wd * p[i] : 0;
      p[i] = p[i] - LR * (mhat / (Math.sqrt(vhat) + eps)) - decay;
    }
    out.push([...p]);
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, s) =>
    row.forEach((x, i) => expect(Math.abs(x - expected[s][i])).toBeLessThan(1e-12)),
  );
}

describe('in-graph optimizers', () => {
  test('Adam matches hand-computed bias-corrected steps', async () => {
    expectClose((await run(adam(), 4)).params, reference('adam', 4, 0));
  });

  test('Adam with L2 weight decay adds wd*p to the gradient', async () => {
    expectClose((await run(adam({ weightDecay: 0.1 }), 3)).params, reference('adam', 3, 0.1));
  });

  test('AdamW decays weights decoupled from the adaptive step', async () => {
    expectClose((await run(adamW({ weightDecay: 0.1 }), 4)).params, reference('adamw', 4, 0.1));
  });

  test('SGD with momentum', async () => {
    const { params } = await run(sgd({ momentum: 0.9 }), 2);
    const g1 = P0.map((p, i) => (i + 1) * p);
    const p1 = P0.map((p, i) => p - LR * g1[i]);
    const v2 = g1.map((g, i) => 0.9 * g + (i + 1) * p1[i]);
    const p2 = p1.map((p, i) => p - LR * v2[i]);
    expectClose(params, [p1, p2]);
  });

  test('clipping by global norm scales the gradient to the bound', async () => {
    const { params, norms } = await run(sgd(), 1, 1);
    const g = P0.map((p, i) => (i + 1) * p);
    const norm = Math.hypot(...g);
    expect(norms[0]).toBeCloseTo(norm, 12);
    const scale = 1 / (norm + 1e-6);
    expectClose(params, [P0.map((p, i) => p - LR * g[i] * scale)]);
  });

  test('warmupCosine: linear warmup then cosine to the floor', () => {
    const lr = warmupCosine({ peak: 1, warmupSteps: 10, totalSteps: 110, min: 0.1 });
    expect(lr(1)).toBeCloseTo(0.1);
    expect(lr(10)).toBeCloseTo(1);
    expect(lr(60)).toBeCloseTo(0.55);
    expect(lr(110)).toBeCloseTo(0.1);
    expect(lr(500)).toBeCloseTo(0.1);
  });

  test('invalid hyper-parameters are rejected', () => {
    expect(() => adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => constantInit(1)).not.toThrow();
  });
});
