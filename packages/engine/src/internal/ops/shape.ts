// Shape-moving primitives (reshape, transpose, concat, slice, gather, ...).
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { defineOp, Tensor } from '../graph';
import {
  Dim,
  dimDivide,
  dimProduct,
  formatShape,
  normAxis,
  sameDim,
  Shape,
  shapeError,
} from '../shape';

defineOp('Reshape', {
  infer: (ins, attrs) => ({
    shape: reshapeTarget(ins[0].shape, attrs.shape as Dim[]),
    dtype: ins[0].dtype,
  }),
  emit: (e, n, ins, out) => {
    const x = n.inputs[0].shape;
    const spec = n.shape.map((d, i) =>
      typeof d === 'number' ? d : i < x.length && sameDim(x[i], d) ? 0 : -1,
    );
    e.node('Reshape', [ins[0], e.int64s(spec)], [out]);
  },
  grad: (n, g) => [reshapeLike(g, n.inputs[0])],
});

function reshapeTarget(input: Shape, target: readonly Dim[]): Dim[] {
  const out = target.map((d, i) => (d === 0 ? input[i] : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d === undefined)) {
    throw shapeError('Reshape', `bad target ${formatShape(target)}`, input);
  }
  const known = dimProduct(out.filter((d) => d !== -1));
  const total = dimProduct(input);
  if (unknown === 1) {
    const rest = dimDivide(total, known);
    if (rest === undefined)
      throw shapeError('Reshape', `cannot infer -1 in ${formatShape(target)}`, input);
    out[out.indexOf(-1)] = rest;
  } else if (!sameDim(known, total)) {
    throw shapeError('Reshape', `${formatShape(target)} changes the element count`, input);
  }
  const symbolic = out.filter(
    (d, i) => typeof d !== 'number' && !(i < input.length && sameDim(input[i], d)),
  );
  if (symbolic.length > 1)
    throw shapeError(
      'Reshape',
      `more than one new symbolic dimension in ${formatShape(out)}`,
      input,
    );
  return out;
}

defineOp('ReshapeLike', {
  infer: (ins) => ({ shape: [...ins[1].shape], dtype: ins[0].dtype }),
  emit: (e, _n, ins, out) => {
    const s = e.tmp('shape');
    e.node('Shape', [ins[1]], [s]);
    e.node('Reshape', [ins[0], s], [out]);
  },
  grad: (n, g) => [reshapeLike(g, n.inputs[0]), null],
});

defineOp('Transpose', {
  infer: (ins, attrs) => {
    const perm = attrs.perm as number[];
    const x = ins[0];
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x.rank || sorted.some((p, i) => p !== i)) {
      throw shapeError('Transpose', `bad permutation [${perm.join(',')}]`, x.shape);
    }
    return { shape: perm.map((p) => x.shape[p]), dtype: x.dtype };
  },
  emit: (e, n, ins, out) =>
    e.node('Transpose', ins, [out], { perm: { ints: n.attrs.perm as number[] } }),
  grad: (n, g) => {
    const perm = n.attrs.perm as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, inv)];
  },
});

defineOp('Concat', {
  infer: (ins, attrs) => {
    const axis = attrs.axis as number;
    const first = ins[0];
    let size = 0;
    for (const t of ins) {
      const ok =
        t.rank === first.rank && t.shape.every((d, i) => i === axis || sameDim(d, first.shape[i]));
      if (!ok || t.dtype !== first.dtype)
        throw shapeError('Concat', `inputs differ off axis ${axis}`, first.shape, t.shape);
      const d = t.shape[axis];
      if (typeof d !== 'number')
        throw shapeError('Concat', `symbolic concat axis ${axis}`, t.shape);
      size += d;
    }
    return { shape: first.shape.map((d, i) => (i === axis ? size : d)), dtype: first.dtype };
  },
  emit: (e, n, ins, out) => e.node('Concat', ins, [out], { axis: { i: n.attrs.axis as number } }),
  grad: (n, g) => {
    const axis = n.attrs.axis as number;
    let offset = 0;
    return n.inputs.map((t) => {
      const d = t.shape[axis] as number;
      const piece = slice(g, [offset], [offset + d], [axis]);
      offset += d;
      return piece;
    });
  },
});

defineOp('Slice', {
  infer: (ins, attrs) => {
    const x = ins[0];
    const [starts, ends, axes] = [attrs.starts, attrs.ends, attrs.axes] as number[][];
    const shape = [...x.shape];
    axes.forEach((a, i) => {
      const d = x.shape[a];
      if (typeof d !== 'number') throw shapeError('Slice', `symbolic sliced axis ${a}`, x.shape);
      if (!(starts[i] >= 0 && starts[i] <= ends[i] && ends[i] <= d)) {
        throw shapeError('Slice', `range ${starts[i]}:${ends[i]} outside axis ${a}`, x.shape);
      }
      shape[a] = ends[i] - starts[i];
    });
    return { shape, dtype: x.dtype };
  },
  emit: (e, n, ins, out) => {
    const a = n.attrs as Record<string, number[]>;
    e.node('Slice', [ins[0], e.int64s(a.starts), e.int64s(a.ends), e.int64s(a.axes)], [out]);
  },
  grad: (n, g) => {
    const x = n.inputs[0];
    const a = n.attrs as Record<string, number[]>;
    const pads = new Array<number>(2 * x.rank).fill(0);
    a.axes.forEach((ax, i) => {
      pads[ax] = a.starts[i];
      pads[x.rank + ax] = (x.shape[ax] as number) - a.ends[i];
    });
    return [g.graph.apply('PadZeros', [g], { pads })];
  },
});

defineOp('PadZeros', {
  infer: (ins, attrs) => {
    const pads = attrs.pads as number[];
    const r = ins[0].rank;
    const shape = ins[0].shape.map((d, i) =>
      pads[i] + pads[r + i] === 0 ? d : (d as number) + pads[i] + pads[r + i],
    );
    return { shape, dtype: ins[0].dtype };
  },
  emit: (e, n, ins, out) => e.node('Pad', [ins[0], e.int64s(n.attrs.pads as number[])], [out]),
  grad: (n, g) => {
    const pads = n.attrs.pads as number[];
    const r = g.rank;
    const axes = [...Array(r).keys()].filter((i) => pads[i] + pads[r + i] > 0);
    const starts = axes.map((i) => pads[i]);
    const ends = axes.map((i) => (n.shape[i] as number) - pads[r + i]);
    return [slice(g, starts, ends, axes)];
  },
});

function axesDef(onnxOp: 'Unsqueeze' | 'Squeeze') {
  return {
    infer: (ins: readonly Tensor[], attrs: Record<string, unknown>) => {
      const x = ins[0];
      const axes = attrs.axes as number[];
      if (onnxOp === 'Unsqueeze') {
        const shape: Dim[] = [...x.shape];
        for (const a of axes) shape.splice(a, 0, 1);
        return { shape, dtype: x.dtype };
      }
      for (const a of axes)
        if (x.shape[a] !== 1) throw shapeError('Squeeze', `axis ${a} is not 1`, x.shape);
      return { shape: x.shape.filter((_, i) => !axes.includes(i)), dtype: x.dtype };
    },
    emit: (e: import('../emitter').Emitter, n: Tensor, ins: readonly string[], out: string) =>
      e.node(onnxOp, [ins[0], e.int64s(n.attrs.axes as number[])], [out]),
    grad: (n: Tensor, g: Tensor) => [reshapeLike(g, n.inputs[0])],
  };
}
defineOp('Unsqueeze', axesDef('Unsqueeze'));
defineOp('Squeeze', axesDef('Squeeze'));

/**
 * Coordinates of the true entries of a bool tensor, [rank, count] with
 * entries in row-major order (ONNX NonZero). Inference only: the count is
 * known at run time, and a coordinate has no gradient.
 */
defineOp('NonZero', {
  infer: (ins) => {
    const [x] = ins;
    if (x.dtype !== 'bool')
      throw shapeError('NonZero', `expected a bool tensor, got ${x.dtype}`, x.shape);
    return { shape: [x.rank, 'nonzero'], dtype: 'int64' };
  },
  emit: (e, _n, ins, out) => e.node('NonZero', ins, [out]),
  grad: () => [null],
});

defineOp('Gather', {
  infer: (ins) => {
    const [table, idx] = ins;
    if (idx.dtype !== 'int64' && idx.dtype !== 'int32')
      throw shapeError('Gather', `indices must be integers, got ${idx.dtype}`, idx.shape);
    if (table.rank < 1) throw shapeError('Gather', 'table must have rank >= 1', table.shape);
    return { shape: [...idx.shape, ...table.shape.slice(1)], dtype: table.dtype };
  },
  emit: (e, _n, ins, out) => e.node('Gather', ins, [out], { axis: { i: 0 } }),
  grad: (n, g) => [n.graph.apply('ScatterAddLike', [n.inputs[0], n.inputs[1], g]), null],
});

/** Zeros shaped like input 0 with rows `indices` accumulating `updates` (embedding gradients). */
defineOp('ScatterAddLike', {
  infer: (ins) => ({ shape: [...ins[0].shape], dtype: ins[0].dtype }),
  emit: (e, n, ins, out) => {
    const [shape, zeros, idx, idx64] = [
      e.tmp('shape'),
      e.tmp('zeros'),
      e.tmp('idx'),
      e.tmp('idx64'),
    ];
    e.node('Shape', [ins[0]], [shape]);
    const zero = n.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
    e.node('ConstantOfShape', [shape], [zeros], {
      value: {
        t: {
          dataType: n.dtype === 'float64' ? 11 : 1,
          dims: [1],
          rawData: new Uint8Array(zero.buffer),
        },
      },
    });
    e.node('Cast', [ins[1]], [idx64], { to: { i: 7 } });
    e.node('Unsqueeze', [idx64, e.int64s([-1])], [idx]);
    e.node('ScatterND', [zeros, idx, ins[2]], [out], { reduction: { s: 'add' } });
  },
});

/**
 * Several embedding gradients into one table as one ScatterND: the
 * (indices, updates) pairs are flattened and concatenated, so the table-sized
 * zeros and the sums between dense gradients happen once.
 */
defineOp('ScatterAddMany', {
  infer: (ins) => ({ shape: [...ins[0].shape], dtype: ins[0].dtype }),
  emit: (e, n, ins, out) => {
    const rest = n.shape.slice(1) as number[];
    const idxs: string[] = [];
    const upds: string[] = [];
    for (let k = 1; k < ins.length; k += 2) {
      const [i64, idx, upd] = [e.tmp('idx64'), e.tmp('idx'), e.tmp('upd')];
      e.node('Cast', [ins[k]], [i64], { to: { i: 7 } });
      e.node('Reshape', [i64, e.int64s([-1, 1])], [idx]);
      e.node('Reshape', [ins[k + 1], e.int64s([-1, ...rest])], [upd]);
      idxs.push(idx);
      upds.push(upd);
    }
    const [shape, zeros, idx, upd] = [e.tmp('shape'), e.tmp('zeros'), e.tmp('idx'), e.tmp('upd')];
    e.node('Concat', idxs, [idx], { axis: { i: 0 } });
    e.node('Concat', upds, [upd], { axis: { i: 0 } });
    e.node('Shape', [ins[0]], [shape]);
    const zero = n.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1);
    e.node('ConstantOfShape', [shape], [zeros], {
      value: {
        t: {
          dataType: n.dtype === 'float64' ? 11 : 1,
          dims: [1],
          rawData: new Uint8Array(zero.buffer),
        },
      },
    });
    e.node('ScatterND', [zeros, idx, upd], [out], { reduction: { s: 'add' } });
  },
});

/**
 * Gradient contributions with the ScatterAddLike ones into the table that
 * the first of them targets merged into one ScatterAddMany (order otherwise kept).
 */
export function mergeScatterAdds(parts: readonly Tensor[]): Tensor[] {
  const first = parts.find((p) => p.op === 'ScatterAddLike');
  if (!first) return [...parts];
  const table = first.inputs[0];
  const mergeable = (p: Tensor): boolean => p.op === 'ScatterAddLike' && p.inputs[0] === table;
  const group = parts.filter(mergeable);
  if (group.length < 2 || !table.shape.slice(1).every((d) => typeof d === 'number'))
    return [...parts];
  const merged = table.graph.apply('ScatterAddMany', [
    table,
    ...group.flatMap((p) => [p.inputs[1], p.inputs[2]]),
  ]);
  return [merged, ...parts.filter((p) => !mergeable(p))];
}

export function reshape(x: Tensor, shape: readonly Dim[]): Tensor {
  return x.graph.apply('Reshape', [x], {
    shape: shape.map((d) => (typeof d === 'number' ? d : String(d))) as number[],
  });
}

/** Reshape `x` to the run-time shape of `ref`. */
export function reshapeLike(x: Tensor, ref: Tensor): Tensor {
  return x.graph.apply('ReshapeLike', [x, ref]);
}

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? [...Array(x.rank).keys()].reverse();
  return x.graph.apply('Transpose', [x], { perm: [...p] });
}

/** Swap the last two axes. */
export function transposeLast(x: Tensor): Tensor {
  const p = [...Array(x.rank).keys()];
  [p[x.rank - 2], p[x.rank - 1]] = [p[x.rank - 1], p[x.rank - 2]];
  return transpose(x, p);
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new InvalidArgumentError('Concat: no inputs');
  return xs[0].graph.apply('Concat', xs, {
    axis: normAxis('Concat', axis, xs[0].rank, xs[0].shape),
  });
}

/** `x[starts:ends]` along `axes` (default 0..), step 1, bounds inside the axis. */
export function slice(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
): Tensor {
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis('Slice', a, x.rank, x.shape));
  return x.graph.apply('Slice', [x], { starts: [...starts], ends: [...ends], axes: ax });
}

export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const r = x.rank + axes.length;
  const ax = axes.map((a) => normAxis('Unsqueeze', a, r, x.shape)).sort((a, b) => a - b);
  return x.graph.apply('Unsqueeze', [x], { axes: ax });
}

export function squeeze(x: Tensor, axes: readonly number[]): Tensor {
  const ax = axes.map((a) => normAxis('Squeeze', a, x.rank, x.shape)).sort((a, b) => a - b);
  return x.graph.apply('Squeeze', [x], { axes: ax });
}

/** Rows of `table` picked by integer `indices` (embedding lookup). */
export function nonZero(x: Tensor): Tensor {
  return x.graph.apply('NonZero', [x]);
}

export function gather(table: Tensor, indices: Tensor): Tensor {
  return table.graph.apply('Gather', [table, indices]);
}
