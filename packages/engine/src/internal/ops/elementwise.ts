// Element-wise primitives: shape rule, ONNX emission and gradient side by side.
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { DType, isFloat } from '../dtype';
import { defineOp, OpDef, Tensor } from '../graph';
import { broadcast, sameShape, shapeError } from '../shape';
import { sumTo } from './reduce';

export type Operand = Tensor | number;

function pair(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number')
    throw new InvalidArgumentError(`${op}: needs at least one tensor`);
  const ref = (typeof a === 'number' ? b : a) as Tensor;
  const lift = (x: Operand): Tensor => (typeof x === 'number' ? ref.graph.scalar(x, ref.dtype) : x);
  return [lift(a), lift(b)];
}

function sameType(op: string, ins: readonly Tensor[]): DType {
  const dt = ins[0].dtype;
  for (const t of ins) {
    if (t.dtype !== dt)
      throw shapeError(
        op,
        `dtype mismatch ${ins.map((x) => x.dtype).join(' vs ')}`,
        ...ins.map((x) => x.shape),
      );
  }
  return dt;
}

function binaryDef(onnxOp: string, grad?: OpDef['grad'], outType?: DType): OpDef {
  return {
    infer: (ins) => {
      const dt = sameType(onnxOp, ins);
      return { shape: broadcast(onnxOp, ins[0].shape, ins[1].shape), dtype: outType ?? dt };
    },
    emit: (e, _n, ins, out) => e.node(onnxOp, ins, [out]),
    grad,
  };
}

function unaryDef(onnxOp: string, grad?: OpDef['grad']): OpDef {
  return {
    infer: (ins) => {
      if (!isFloat(ins[0].dtype) && onnxOp !== 'Neg' && onnxOp !== 'Abs') {
        throw new InvalidArgumentError(`${onnxOp}: expected a float tensor, got ${ins[0]}`);
      }
      return { shape: [...ins[0].shape], dtype: ins[0].dtype };
    },
    emit: (e, _n, ins, out) => e.node(onnxOp, ins, [out]),
    grad,
  };
}

const [A, B] = [0, 1];
const floatOf = (n: Tensor, t: Tensor): Tensor => cast(t, n.dtype);

defineOp(
  'Add',
  binaryDef('Add', (n, g) => [sumTo(g, n.inputs[A]), sumTo(g, n.inputs[B])]),
);
defineOp(
  'Sub',
  binaryDef('Sub', (n, g) => [sumTo(g, n.inputs[A]), sumTo(neg(g), n.inputs[B])]),
);
defineOp(
  'Mul',
  binaryDef('Mul', (n, g) => [
    sumTo(mul(g, n.inputs[B]), n.inputs[A]),
    sumTo(mul(g, n.inputs[A]), n.inputs[B]),
  ]),
);
defineOp(
  'Div',
  binaryDef('Div', (n, g) => {
    const [a, b] = n.inputs;
    const ga = div(g, b);
    return [sumTo(ga, a), sumTo(neg(mul(ga, n)), b)];
  }),
);
defineOp(
  'Pow',
  binaryDef('Pow', (n, g) => {
    const [a, b] = n.inputs;
    const ga = mul(g, mul(b, pow(a, sub(b, 1))));
    // Exponents are almost always constants; skip the log(a) branch for them.
    const gb = b.op === 'Constant' ? null : sumTo(mul(g, mul(n, log(a))), b);
    return [sumTo(ga, a), gb];
  }),
);
defineOp(
  'Max',
  binaryDef('Max', (n, g) => {
    const [a, b] = n.inputs;
    const m = floatOf(n, greaterOrEqual(a, b));
    return [sumTo(mul(g, m), a), sumTo(mul(g, sub(1, m)), b)];
  }),
);
defineOp(
  'Min',
  binaryDef('Min', (n, g) => {
    const [a, b] = n.inputs;
    const m = floatOf(n, lessOrEqual(a, b));
    return [sumTo(mul(g, m), a), sumTo(mul(g, sub(1, m)), b)];
  }),
);

defineOp(
  'Neg',
  unaryDef('Neg', (_n, g) => [neg(g)]),
);
defineOp(
  'Exp',
  unaryDef('Exp', (n, g) => [mul(g, n)]),
);
defineOp(
  'Log',
  unaryDef('Log', (n, g) => [div(g, n.inputs[0])]),
);
defineOp(
  'Sqrt',
  unaryDef('Sqrt', (n, g) => [div(mul(g, 0.5), n)]),
);
defineOp(
  'Abs',
  unaryDef('Abs', (n, g) => [mul(g, sign(n.inputs[0]))]),
);
defineOp(
  'Sign',
  unaryDef('Sign', () => [null]),
);
defineOp(
  'Relu',
  unaryDef('Relu', (n, g) => [mul(g, floatOf(n, greater(n.inputs[0], 0)))]),
);
defineOp(
  'Sigmoid',
  unaryDef('Sigmoid', (n, g) => [mul(g, mul(n, sub(1, n)))]),
);
defineOp(
  'Tanh',
  unaryDef('Tanh', (n, g) => [mul(g, sub(1, mul(n, n)))]),
);

for (const op of ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual']) {
  defineOp(op, binaryDef(op, undefined, 'bool'));
}
defineOp('And', binaryDef('And', undefined, 'bool'));
defineOp('Not', {
  infer: (ins) => ({ shape: [...ins[0].shape], dtype: 'bool' }),
  emit: (e, _n, ins, out) => e.node('Not', ins, [out]),
});

defineOp('Where', {
  infer: (ins) => {
    const [c, a, b] = ins;
    if (c.dtype !== 'bool')
      throw new InvalidArgumentError(`Where: condition must be bool, got ${c}`);
    const dt = sameType('Where', [a, b]);
    return { shape: broadcast('Where', c.shape, broadcast('Where', a.shape, b.shape)), dtype: dt };
  },
  emit: (e, _n, ins, out) => e.node('Where', ins, [out]),
  grad: (n, g) => {
    const [c, a, b] = n.inputs;
    const zero = n.graph.scalar(0, n.dtype);
    return [null, sumTo(where(c, g, zero), a), sumTo(where(c, zero, g), b)];
  },
});

defineOp('Cast', {
  infer: (ins, attrs) => ({ shape: [...ins[0].shape], dtype: attrs.to as DType }),
  emit: (e, n, ins, out) => {
    const to = { float32: 1, float64: 11, int64: 7, int32: 6, bool: 9 }[n.dtype];
    e.node('Cast', ins, [out], { to: { i: to } });
  },
  grad: (n, g) => [isFloat(n.inputs[0].dtype) ? cast(g, n.inputs[0].dtype) : null],
});

defineOp('StopGradient', {
  infer: (ins) => ({ shape: [...ins[0].shape], dtype: ins[0].dtype }),
  emit: (e, _n, ins, out) => e.node('Identity', ins, [out]),
  grad: () => [null],
});

/**
 * An explicit broadcast feeding an arithmetic op that would broadcast the same
 * way anyway (typical after a reduction's gradient) is skipped: same values,
 * one full-size tensor fewer.
 */
function unexpand(x: Tensor, y: Tensor): [Tensor, Tensor] {
  const full = broadcast('', x.shape, y.shape);
  const fits = (a: Tensor, b: Tensor): boolean => {
    try {
      return sameShape(broadcast('', a.shape, b.shape), full);
    } catch {
      return false;
    }
  };
  if (x.op === 'ExpandLike' && fits(x.inputs[0], y)) x = x.inputs[0];
  if (y.op === 'ExpandLike' && fits(x, y.inputs[0])) y = y.inputs[0];
  return [x, y];
}

const ARITHMETIC = new Set(['Add', 'Sub', 'Mul', 'Div']);

const bin =
  (op: string) =>
  (a: Operand, b: Operand): Tensor => {
    const [x, y] = pair(op, a, b);
    if (ARITHMETIC.has(op) && (x.op === 'ExpandLike' || y.op === 'ExpandLike')) {
      broadcast(op, x.shape, y.shape); // report shape errors with the caller's shapes
      return x.graph.apply(op, unexpand(x, y));
    }
    return x.graph.apply(op, [x, y]);
  };
const un =
  (op: string) =>
  (x: Tensor): Tensor =>
    x.graph.apply(op, [x]);

export const add = bin('Add');
export const sub = bin('Sub');
export const mul = bin('Mul');
export const div = bin('Div');
export const pow = bin('Pow');
export const maximum = bin('Max');
export const minimum = bin('Min');
export const equal = bin('Equal');
export const less = bin('Less');
export const greater = bin('Greater');
export const lessOrEqual = bin('LessOrEqual');
export const greaterOrEqual = bin('GreaterOrEqual');
export const and = bin('And');
export const not = un('Not');
export const neg = un('Neg');
export const exp = un('Exp');
export const log = un('Log');
export const sqrt = un('Sqrt');
export const abs = un('Abs');
export const sign = un('Sign');
export const relu = un('Relu');
export const sigmoid = un('Sigmoid');
export const tanh = un('Tanh');

/** Gradient does not flow through the result (its forward value is unchanged). */
export const stopGradient = un('StopGradient');

export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const [x, y] = pair('Where', a, b);
  return cond.graph.apply('Where', [cond, x, y]);
}

export function cast(x: Tensor, to: DType): Tensor {
  return x.dtype === to ? x : x.graph.apply('Cast', [x], { to });
}
