/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { checkGradients } from './internal/gradcheck';
import { defineOp, Graph, Tensor } from './internal/graph';
import { Rng } from './init';
import { ModelRunner, TensorValue } from './runner';
import { gradients } from './internal/autodiff';
import { emitModel } from './internal/model';
import * as op from './ops';
import * as nn from './nn';

const TOL = 1e-6;

function rand(shape: number[], seed: number, lo = -1, hi = 1): TensorValue {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return { dtype: 'float64', dims: shape, data };
}

function ints(values: number[], shape: number[]): TensorValue {
  return { dtype: 'int64', dims: shape, data: BigInt64Array.from(values.map(BigInt)) };
}

type Case = [
  string,
  (g: Graph) => { output: Tensor; inputs: Tensor[]; feeds: Record<string, TensorValue> },
];

/** One float input of shape `s` through `f`. */
function unary(name: string, f: (x: Tensor) => Tensor, s = [3, 4], lo = -1, hi = 1): Case {
  return [
    name,
    (g) => {
      const x = g.input('x', s);
      return { output: f(x), inputs: [x], feeds: { x: rand(s, 1, lo, hi) } };
    },
  ];
}

/** Two float inputs (broadcast shapes). */
function binary(
  name: string,
  f: (a: Tensor, b: Tensor) => Tensor,
  sa: number[],
  sb: number[],
  lo = -1,
  hi = 1,
): Case {
  return [
    name,
    (g) => {
      const a = g.input('a', sa);
      const b = g.input('b', sb);
      return {
        output: f(a, b),
        inputs: [a, b],
        feeds: { a: rand(sa, 2, lo, hi), b: rand(sb, 3, lo, hi) },
      };
    },
  ];
}

const primitives: Case[] = [
  binary('add (broadcast)', op.add, [2, 3, 4], [3, 1]),
  binary('sub (broadcast)', op.sub, [4], [2, 3, 4]),
  binary('mul (broadcast)', op.mul, [2, 1, 4], [3, 1]),
  binary('div', op.div, [3, 4], [3, 4], 0.5, 2),
  binary('pow (tensor exponent)', op.pow, [3, 4], [4], 0.5, 2),
  unary('pow (constant exponent)', (x) => op.pow(x, 3), [3, 4], 0.5, 2),
  binary('maximum', op.maximum, [3, 4], [3, 4]),
  binary('minimum', op.minimum, [3, 4], [4]),
  binary('matmul', op.matmul, [3, 4], [4, 5]),
  binary('matmul (batched, broadcast)', op.matmul, [2, 3, 4], [4, 2]),
  binary('matmul (batched both)', op.matmul, [2, 3, 4], [2, 4, 2]),
  unary('neg', op.neg),
  unary('exp', op.exp),
  unary('log', op.log, [3, 4], 0.2, 2),
  unary('sqrt', op.sqrt, [3, 4], 0.2, 2),
  unary('abs', op.abs),
  unary('relu', op.relu),
  unary('sigmoid', op.sigmoid),
  unary('tanh', op.tanh),
  unary('softmax', (x) => op.softmax(x, -1)),
  unary('softmax axis 0', (x) => op.softmax(x, 0)),
  unary('logSoftmax', (x) => op.logSoftmax(x, 1)),
  unary('reduceSum', (x) => op.reduceSum(x, [1])),
  unary('reduceSum keepdims', (x) => op.reduceSum(x, [0], true), [2, 3, 2]),
  unary('reduceMean', (x) => op.reduceMean(x, [0, 2]), [2, 3, 2]),
  unary('reduceMax', (x) => op.reduceMax(x, [1])),
  [
    'reduceMean over a symbolic axis',
    (g) => {
      const x = g.input('x', ['n', 3]);
      return { output: op.reduceMean(x, [0]), inputs: [x], feeds: { x: rand([4, 3], 1) } };
    },
  ],
  binary('expandLike', (a, b) => op.mul(op.exp(op.expandLike(a, b)), b), [3, 1], [2, 3, 4]),
  unary('reshape', (x) => op.reshape(x, [2, -1]), [3, 4]),
  unary('transpose', (x) => op.transpose(x, [1, 2, 0]), [2, 3, 4]),
  binary('concat', (a, b) => op.concat([a, b, a], 1), [2, 3], [2, 1]),
  unary('slice', (x) => op.slice(x, [1, 0], [3, 2], [0, 1]), [3, 4]),
  unary('unsqueeze', (x) => op.unsqueeze(x, [0, 2])),
  unary('squeeze', (x) => op.squeeze(x, [1]), [3, 1, 4]),
  unary('where', (x) => op.where(op.greater(x, 0), op.mul(x, 2), op.neg(x))),
  unary('where (broadcast constant)', (x) => op.where(op.greater(x, 0), x, 0.5)),
  unary('fan-out', (x) => op.add(op.mul(x, x), op.mul(op.exp(x), x))),
  [
    'gather (embedding, repeated rows)',
    (g) => {
      const table = g.input('table', [5, 3]);
      const idx = g.input('idx', [2, 3], 'int64');
      return {
        output: op.gather(table, idx),
        inputs: [table],
        feeds: { table: rand([5, 3], 4), idx: ints([0, 4, 4, 1, 0, 4], [2, 3]) },
      };
    },
  ],
];

primitives.push([
  'gather twice from one table (merged scatter-add)',
  (g) => {
    const table = g.input('table', [5, 3]);
    const a = g.input('a', ['n', 2], 'int64');
    const b = g.input('b', [3], 'int64');
    const out = op.add(
      op.reduceSum(op.gather(table, a), [0, 1]),
      op.reduceSum(op.gather(table, b), [0]),
    );
    return {
      output: op.mul(out, op.reduceSum(table, [0])),
      inputs: [table],
      feeds: { table: rand([5, 3], 4), a: ints([0, 4, 4, 1], [2, 2]), b: ints([4, 2, 0], [3]) },
    };
  },
]);

const composites: Case[] = [
  unary('gelu', nn.gelu),
  unary('softplus', (x) => nn.softplus(op.mul(x, 30))),
  [
    'layerNorm',
    (g) => {
      const x = g.input('x', [2, 3, 5]);
      const gamma = g.input('gamma', [5]);
      const beta = g.input('beta', [5]);
      return {
        output: nn.layerNorm(x, gamma, beta),
        inputs: [x, gamma, beta],
        feeds: { x: rand([2, 3, 5], 1), gamma: rand([5], 2), beta: rand([5], 3) },
      };
    },
  ],
  unary('l2Normalize', (x) => nn.l2Normalize(x)),
  binary('cosineSimilarity', (a, b) => nn.cosineSimilarity(a, b), [3, 4], [3, 4]),
  [
    'crossEntropyWithLogits',
    (g) => {
      const x = g.input('x', [4, 5]);
      const y = g.input('y', [4], 'int64');
      return {
        output: nn.crossEntropyWithLogits(x, y),
        inputs: [x],
        feeds: { x: rand([4, 5], 1, -3, 3), y: ints([0, 4, 2, 2], [4]) },
      };
    },
  ],
  [
    'bceWithLogits (masked)',
    (g) => {
      const x = g.input('x', [2, 3]);
      const t = g.input('t', [2, 3]);
      const w = g.input('w', [2, 3]);
      const tv = {
        dtype: 'float64' as const,
        dims: [2, 3],
        data: Float64Array.from([1, 0, 1, 0, 0, 1]),
      };
      const wv = {
        dtype: 'float64' as const,
        dims: [2, 3],
        data: Float64Array.from([1, 1, 0, 1, 1, 1]),
      };
      return {
        output: nn.bceWithLogits(x, t, w),
        inputs: [x],
        feeds: { x: rand([2, 3], 1, -4, 4), t: tv, w: wv },
      };
    },
  ],
  binary('infoNce', (a, b) => nn.infoNce(a, b, 0.1), [4, 3], [4, 3]),
  [
    'causal self-attention block',
    (g) => {
      const x = g.input('x', [2, 4, 3]);
      const wq = g.input('wq', [3, 3]);
      const wk = g.input('wk', [3, 3]);
      const wv = g.input('wv', [3, 3]);
      const mask = g.input('mask', [2, 4], 'bool');
      const att = nn.attention(nn.linear(x, wq), nn.linear(x, wk), nn.linear(x, wv), {
        causal: true,
        keyMask: mask,
      });
      const maskv = {
        dtype: 'bool' as const,
        dims: [2, 4],
        data: Uint8Array.from([1, 1, 1, 1, 1, 0, 1, 1]),
      };
      return {
        output: att,
        inputs: [x, wq, wk, wv],
        feeds: {
          x: rand([2, 4, 3], 1),
          wq: rand([3, 3], 2),
          wk: rand([3, 3], 3),
          wv: rand([3, 3], 4),
          mask: maskv,
        },
      };
    },
  ],
  [
    'multi-head attention (2 heads, symbolic batch, key mask)',
    (g) => {
      const x = g.input('x', ['batch', 3, 4]);
      const wq = g.input('wq', [4, 4]);
      const mask = g.input('mask', ['batch', 3], 'bool');
      const att = nn.multiHeadAttention(nn.linear(x, wq), x, op.mul(x, 2), 2, {
        causal: true,
        keyMask: mask,
      });
      const maskv = {
        dtype: 'bool' as const,
        dims: [2, 3],
        data: Uint8Array.from([1, 1, 1, 1, 0, 1]),
      };
      return {
        output: op.reduceSum(att, [0]),
        inputs: [x, wq],
        feeds: { x: rand([2, 3, 4], 1), wq: rand([4, 4], 2), mask: maskv },
      };
    },
  ],
  [
    'dropout (fed mask)',
    (g) => {
      const x = g.input('x', [3, 4]);
      const y = nn.dropout(x, 0.5);
      const m = g.leaves('DropoutMask')[0];
      const mv = {
        dtype: 'float64' as const,
        dims: [3, 4],
        data: Float64Array.from([2, 0, 2, 2, 0, 0, 2, 2, 2, 0, 2, 0]),
      };
      return { output: y, inputs: [x], feeds: { x: rand([3, 4], 1), [m.name]: mv } };
    },
  ],
];

describe('gradient edge cases', () => {
  test('cast passes the gradient through (float32 round trip, coarse step)', async () => {
    const r = await checkGradients(
      unary('cast', (x) => op.cast(op.cast(x, 'float32'), 'float64'))[1],
      { step: 1e-3 },
    );
    expect(r.maxError).toBeLessThan(1e-3);
  });

  test('stopGradient blocks the gradient but keeps the value', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [4]);
    const y = op.mul(x, op.stopGradient(op.exp(x)));
    const [dx] = gradients(op.reduceSum(y), [x]);
    const model = emitModel({ outputs: { y, dx: dx as Tensor }, mode: 'train' });
    const runner = await ModelRunner.create({ model: model.bytes, threads: 1 });
    const xv = Float64Array.from([-1, 0, 0.5, 2]);
    const out = await runner.run({ x: { dtype: 'float64', dims: [4], data: xv } });
    await runner.dispose();
    xv.forEach((v, i) => {
      expect(out.y.data[i]).toBeCloseTo(v * Math.exp(v), 12);
      expect(out.dx.data[i]).toBeCloseTo(Math.exp(v), 12); // not exp(v) * (1 + v)
    });
  });

  test('the check catches a wrong gradient rule', async () => {
    // Exp with the gradient of x -> x^2 / 2: the checker must flag it.
    defineOp('WrongExp', {
      infer: (ins) => ({ shape: [...ins[0].shape], dtype: ins[0].dtype }),
      emit: (e, _n, ins, out) => e.node('Exp', ins, [out]),
      grad: (n, g) => [op.mul(g, n.inputs[0])],
    });
    const r = await checkGradients(unary('wrong', (x) => x.graph.apply('WrongExp', [x]))[1]);
    expect(r.maxError).toBeGreaterThan(0.1);
  });

  test('a loss that does not depend on an input gives a null gradient', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2]);
    const z = g.input('z', [2]);
    expect(gradients(op.reduceSum(op.exp(x)), [x, z])[1]).toBeNull();
  });
});

describe('gradients match central finite differences (float64)', () => {
  test.each(primitives)('primitive %s', async (_name, build) => {
    const r = await checkGradients(build);
    expect(r.checked).toBeGreaterThan(0);
    if (r.maxError > TOL) throw new Error(r.worst);
  });
  test.each(composites)('composite %s', async (_name, build) => {
    const r = await checkGradients(build);
    expect(r.checked).toBeGreaterThan(0);
    if (r.maxError > TOL) throw new Error(r.worst);
  });
});
