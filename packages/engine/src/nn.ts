// Composite blocks written only in terms of primitives, so autodiff needs no
// extra rules for them.
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { Tensor } from './internal/graph';
import {
  abs,
  add,
  cast,
  div,
  equal,
  exp,
  log,
  logSoftmax,
  matmul,
  mul,
  neg,
  reduceMean,
  reduceSum,
  relu,
  reshape,
  softmax,
  sqrt,
  sub,
  tanh,
  transpose,
  transposeLast,
  unsqueeze,
  where,
} from './internal/ops';
import { formatShape } from './internal/shape';

/** `x @ w (+ b)`; `x` may carry leading batch axes. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const y = matmul(x, w);
  return b ? add(y, b) : y;
}

/** GELU, tanh approximation (erf has no float64 CPU kernel). */
export function gelu(x: Tensor): Tensor {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** log(1 + e^x), stable for large |x|. */
export function softplus(x: Tensor): Tensor {
  return add(relu(x), log(add(exp(neg(abs(x))), 1)));
}

/** Normalise over the last axis, then scale and shift. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const centered = sub(x, reduceMean(x, [-1], true));
  const variance = reduceMean(mul(centered, centered), [-1], true);
  return add(mul(div(centered, sqrt(add(variance, eps))), gamma), beta);
}

export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12): Tensor {
  return div(x, sqrt(add(reduceSum(mul(x, x), [axis], true), eps)));
}

export function cosineSimilarity(a: Tensor, b: Tensor, axis = -1): Tensor {
  return reduceSum(mul(l2Normalize(a, axis), l2Normalize(b, axis)), [axis]);
}

/** `labels` (integers) as 0/1 rows over `classes`. */
export function oneHot(labels: Tensor, classes: number, dtype: 'float32' | 'float64'): Tensor {
  const range = labels.graph.constant(
    [...Array(classes).keys()],
    [classes],
    labels.dtype === 'int32' ? 'int32' : 'int64',
  );
  return cast(equal(unsqueeze(labels, [-1]), range), dtype);
}

/** Mean softmax cross-entropy of `logits` [..., C] against integer `labels` [...]. */
export function crossEntropyWithLogits(logits: Tensor, labels: Tensor): Tensor {
  const c = logits.shape[logits.rank - 1];
  if (typeof c !== 'number')
    throw new InvalidArgumentError(
      `crossEntropy: symbolic class axis ${formatShape(logits.shape)}`,
    );
  const picked = reduceSum(
    mul(logSoftmax(logits, -1), oneHot(labels, c, logits.dtype as 'float32')),
    [-1],
  );
  return neg(reduceMean(picked));
}

/**
 * Binary cross-entropy of `logits` against 0/1 `targets`: mean, or weighted
 * mean when `weights` (e.g. a padding mask) is given.
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, weights?: Tensor): Tensor {
  const loss = sub(softplus(logits), mul(logits, targets));
  if (!weights) return reduceMean(loss);
  return div(reduceSum(mul(loss, weights)), reduceSum(weights));
}

/**
 * InfoNCE over a batch of pairs: row i of `a` should match row i of `b`
 * against every other row (cosine similarity / temperature).
 */
export function infoNce(a: Tensor, b: Tensor, temperature: number): Tensor {
  const n = a.shape[0];
  if (typeof n !== 'number')
    throw new InvalidArgumentError(`infoNce: symbolic batch ${formatShape(a.shape)}`);
  const sims = div(matmul(l2Normalize(a), transposeLast(l2Normalize(b))), temperature);
  const eye = a.graph.constant(
    Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)),
    [n, n],
    a.dtype,
  );
  return neg(reduceMean(reduceSum(mul(logSoftmax(sims, -1), eye), [-1])));
}

export interface AttentionOptions {
  /** Position i attends only to positions <= i. */
  causal?: boolean;
  /** Bool [..., Lk] broadcastable mask: false keys are ignored. */
  keyMask?: Tensor;
}

/** Scaled dot-product attention over the last two axes of q, k, v. */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const d = q.shape[q.rank - 1];
  if (typeof d !== 'number')
    throw new InvalidArgumentError(`attention: symbolic head size ${formatShape(q.shape)}`);
  let scores = div(matmul(q, transposeLast(k)), Math.sqrt(d));
  const g = q.graph;
  if (options.causal) {
    const lq = q.shape[q.rank - 2] as number;
    const lk = k.shape[k.rank - 2] as number;
    const allowed = g.constant(
      Array.from({ length: lq * lk }, (_, i) => (i % lk <= Math.floor(i / lk) ? 1 : 0)),
      [lq, lk],
      'bool',
    );
    scores = where(allowed, scores, -1e9);
  }
  if (options.keyMask) scores = where(unsqueeze(options.keyMask, [-2]), scores, -1e9);
  return matmul(softmax(scores, -1), v);
}

/**
 * Multi-head attention over [batch, length, dim] projections: split dim into
 * `heads` heads, attend per head, merge. `keyMask` is bool [batch, lengthK].
 */
export function multiHeadAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  heads: number,
  options: AttentionOptions = {},
): Tensor {
  const dim = q.shape[2];
  if (q.rank !== 3 || typeof dim !== 'number' || dim % heads !== 0) {
    throw new InvalidArgumentError(
      `multiHeadAttention: need [batch, length, dim] with dim divisible by ${heads}, got ${formatShape(q.shape)}`,
    );
  }
  const split = (x: Tensor): Tensor =>
    transpose(reshape(x, [0, 0, heads, dim / heads]), [0, 2, 1, 3]);
  const keyMask = options.keyMask ? unsqueeze(options.keyMask, [1]) : undefined;
  const out = attention(split(q), split(k), split(v), { causal: options.causal, keyMask });
  return reshape(transpose(out, [0, 2, 1, 3]), [0, 0, dim]);
}

/** Inverted dropout with a mask fed per step from the trainer's seeded generator; identity in exports. */
export function dropout(x: Tensor, rate: number): Tensor {
  if (rate === 0) return x;
  return mul(x, x.graph.dropoutMask(x.shape, rate));
}
