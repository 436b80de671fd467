// Batched matrix product.
import { defineOp, requiresFloat, Tensor } from '../graph';
import { broadcast, sameDim, shapeError } from '../shape';
import { sumTo } from './reduce';
import { transposeLast } from './shape';

defineOp('MatMul', {
  infer: (ins) => {
    const [a, b] = ins;
    requiresFloat('MatMul', a);
    if (a.dtype !== b.dtype)
      throw shapeError('MatMul', `dtype mismatch ${a.dtype} vs ${b.dtype}`, a.shape, b.shape);
    if (a.rank < 2 || b.rank < 2)
      throw shapeError('MatMul', 'operands must have rank >= 2', a.shape, b.shape);
    const k1 = a.shape[a.rank - 1];
    const k2 = b.shape[b.rank - 2];
    if (!sameDim(k1, k2))
      throw shapeError('MatMul', `inner dimensions differ (${k1} vs ${k2})`, a.shape, b.shape);
    const batch = broadcast('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    return { shape: [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]], dtype: a.dtype };
  },
  emit: (e, _n, ins, out) => e.node('MatMul', ins, [out]),
  // dA = g·Bᵀ, dB = Aᵀ·g, each summed back over broadcast batch axes.
  grad: (n, g) => {
    const [a, b] = n.inputs;
    return [sumTo(matmul(g, transposeLast(b)), a), sumTo(matmul(transposeLast(a), g), b)];
  },
});

/** `a @ b` over the last two axes, leading axes broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.graph.apply('MatMul', [a, b]);
}
