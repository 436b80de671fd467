// Reductions and normalisers over axes: shape rule, emission and gradient side by side.
import { defineOp, OpDef, requiresFloat, Tensor } from '../graph';
import { Dim, normAxis, sameDim, shapeError } from '../shape';
import { cast, div, equal, exp, mul, sub } from './elementwise';
import { unsqueeze } from './shape';

function axesOf(n: Tensor): number[] {
  return n.attrs.axes as number[];
}

function reduceDef(onnxOp: string, grad: OpDef['grad']): OpDef {
  return {
    infer: (ins, attrs) => {
      requiresFloat(onnxOp, ins[0]);
      const axes = attrs.axes as number[];
      const shape: Dim[] = [];
      ins[0].shape.forEach((d, i) => {
        if (!axes.includes(i)) shape.push(d);
        else if (attrs.keepdims) shape.push(1);
      });
      return { shape, dtype: ins[0].dtype };
    },
    emit: (e, n, ins, out) =>
      e.node(onnxOp, [ins[0], e.int64s(axesOf(n))], [out], {
        keepdims: { i: n.attrs.keepdims ? 1 : 0 },
      }),
    grad,
  };
}

/** The output gradient of a reduction with the reduced axes restored as size 1. */
function kept(n: Tensor, g: Tensor): Tensor {
  return n.attrs.keepdims ? g : unsqueeze(g, axesOf(n));
}

/** 1 / (number of reduced elements): static when the reduced axes are known, else from run-time sizes. */
function inverseCount(n: Tensor): Tensor | number {
  let c = 1;
  for (const a of axesOf(n)) {
    const d = n.inputs[0].shape[a];
    if (typeof d !== 'number') return n.graph.apply('SizeRatio', [n, n.inputs[0]]);
    c *= d;
  }
  return 1 / c;
}

/** size(a) / size(b) as a float scalar of a's dtype (no gradient). */
defineOp('SizeRatio', {
  infer: (ins) => ({ shape: [], dtype: ins[0].dtype }),
  emit: (e, n, ins, out) => {
    const to = { i: n.dtype === 'float64' ? 11 : 1 };
    const [sa, sb, fa, fb] = [e.tmp('size'), e.tmp('size'), e.tmp('sizef'), e.tmp('sizef')];
    e.node('Size', [ins[0]], [sa]);
    e.node('Size', [ins[1]], [sb]);
    e.node('Cast', [sa], [fa], { to });
    e.node('Cast', [sb], [fb], { to });
    e.node('Div', [fa, fb], [out]);
  },
  grad: () => [null, null],
});

defineOp(
  'ReduceSum',
  reduceDef('ReduceSum', (n, g) => [expandLike(kept(n, g), n.inputs[0])]),
);
defineOp(
  'ReduceMean',
  reduceDef('ReduceMean', (n, g) => [expandLike(mul(kept(n, g), inverseCount(n)), n.inputs[0])]),
);
defineOp(
  'ReduceMax',
  reduceDef('ReduceMax', (n, g) => {
    const x = n.inputs[0];
    const y = kept(n, n);
    const mask = cast(equal(x, y), x.dtype);
    const share = div(mask, reduceSum(mask, axesOf(n), true));
    return [mul(share, kept(n, g))];
  }),
);

function softmaxDef(onnxOp: string, grad: OpDef['grad']): OpDef {
  return {
    infer: (ins) => {
      requiresFloat(onnxOp, ins[0]);
      return { shape: [...ins[0].shape], dtype: ins[0].dtype };
    },
    emit: (e, n, ins, out) => e.node(onnxOp, ins, [out], { axis: { i: n.attrs.axis as number } }),
    grad,
  };
}

defineOp(
  'Softmax',
  softmaxDef('Softmax', (n, g) => {
    const axis = n.attrs.axis as number;
    const gy = mul(g, n);
    return [sub(gy, mul(n, reduceSum(gy, [axis], true)))];
  }),
);
defineOp(
  'LogSoftmax',
  softmaxDef('LogSoftmax', (n, g) => {
    const axis = n.attrs.axis as number;
    return [sub(g, mul(exp(n), reduceSum(g, [axis], true)))];
  }),
);

defineOp('ExpandLike', {
  infer: (ins) => ({ shape: [...ins[1].shape], dtype: ins[0].dtype }),
  emit: (e, _n, ins, out) => {
    const s = e.tmp('shape');
    e.node('Shape', [ins[1]], [s]);
    e.node('Expand', [ins[0], s], [out]);
  },
  grad: (n, g) => [sumTo(g, n.inputs[0]), null],
});

function reduceAxes(op: string, x: Tensor, axes: readonly number[] | undefined): number[] {
  const all = axes ?? x.shape.map((_, i) => i);
  const norm = all.map((a) => normAxis(op, a, x.rank, x.shape));
  if (new Set(norm).size !== norm.length)
    throw shapeError(op, `repeated axes ${all.join(',')}`, x.shape);
  return norm.sort((a, b) => a - b);
}

/** Sum over `axes` (all when omitted). */
export function reduceSum(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return x.graph.apply('ReduceSum', [x], { axes: reduceAxes('ReduceSum', x, axes), keepdims });
}
export function reduceMean(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return x.graph.apply('ReduceMean', [x], { axes: reduceAxes('ReduceMean', x, axes), keepdims });
}
export function reduceMax(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return x.graph.apply('ReduceMax', [x], { axes: reduceAxes('ReduceMax', x, axes), keepdims });
}
export function softmax(x: Tensor, axis = -1): Tensor {
  return x.graph.apply('Softmax', [x], { axis: normAxis('Softmax', axis, x.rank, x.shape) });
}
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return x.graph.apply('LogSoftmax', [x], { axis: normAxis('LogSoftmax', axis, x.rank, x.shape) });
}

/** Broadcast `x` to the (run-time) shape of `ref`. */
export function expandLike(x: Tensor, ref: Tensor): Tensor {
  return x.graph.apply('ExpandLike', [x, ref]);
}

/** Sum a broadcast gradient back to the shape of `ref` (the broadcast reduction of autodiff). */
export function sumTo(g: Tensor, ref: Tensor): Tensor {
  let out = g;
  const lead = g.rank - ref.rank;
  if (lead > 0) out = reduceSum(out, [...Array(lead).keys()], false);
  const axes: number[] = [];
  ref.shape.forEach((d, i) => {
    if (d === 1 && !sameDim(out.shape[i], 1)) axes.push(i);
  });
  if (axes.length > 0) out = reduceSum(out, axes, true);
  return out;
}

/**
 * Indices of the k largest entries along the last axis, largest first (ONNX
 * TopK; the values output is dropped: callers that need them gather them).
 * Inference only: an index has no gradient. Tie order among equal values is
 * onnxruntime's, so callers that need a defined tie order re-sort.
 */
defineOp('TopKIndices', {
  infer: (ins) => {
    const [x, k] = ins;
    requiresFloat('TopKIndices', x);
    if (x.rank < 1) throw shapeError('TopKIndices', 'input must have rank >= 1', x.shape);
    if (k.dtype !== 'int64' || k.rank !== 1)
      throw shapeError(
        'TopKIndices',
        `k must be an int64 vector of length 1, got ${k.dtype}`,
        k.shape,
      );
    return { shape: [...x.shape.slice(0, -1), 'k'], dtype: 'int64' };
  },
  emit: (e, _n, ins, out) =>
    e.node('TopK', ins, [e.tmp('topk_values'), out], {
      axis: { i: -1 },
      largest: { i: 1 },
      sorted: { i: 1 },
    }),
  grad: () => [null, null],
});

export function topKIndices(x: Tensor, k: Tensor): Tensor {
  return x.graph.apply('TopKIndices', [x, k]);
}
