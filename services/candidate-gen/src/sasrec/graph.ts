import {
  add,
  bceWithLogits,
  cast,
  concat,
  div,
  dropout,
  gather,
  Graph,
  greater,
  layerNorm,
  linear,
  logSoftmax,
  matmul,
  mul,
  neg,
  reduceSum,
  relu,
  reshape,
  slice,
  softmax,
  squeeze,
  transpose,
  transposeLast,
  unsqueeze,
  where,
  xavier,
  zeros,
  constantInit,
  type Tensor,
} from '@thoughtspace/engine';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { SasrecConfig } from './config';

/**
 * SASRec as one engine graph. Item ids are shifted by one: 0 is padding, item
 * index i is id i + 1. Sequences are left-padded to maxLen.
 *
 * Inputs: `seq` [batch, L] int64; training adds `pos`/`neg` [batch, L]
 * (next item and a sampled negative per position; 0 at padding) or, for the
 * sampled-softmax loss, `negatives` [N] shared by the batch; serving adds
 * `candidates` [batch, C].
 * Outputs: `loss`, `scores` [batch, C] (logits of the candidates at the last
 * position), `user_embedding` [batch, d] (the last position's state).
 */
export interface SasrecGraph {
  graph: Graph;
  loss: Tensor;
  scores: Tensor;
  userEmbedding: Tensor;
}

export function buildSasrec(
  config: SasrecConfig,
  numItems: number,
  options: { freezeItemEmbedding?: boolean } = {},
): SasrecGraph {
  const g = new Graph();
  const { itemEmb, real, states, scores, userEmbedding } = sasrecForward(g, config, numItems, {
    window: config.maxLen,
    freezeItemEmbedding: options.freezeItemEmbedding,
  });
  const loss =
    config.loss === 'bce'
      ? bceLoss(g, states, itemEmb, real)
      : softmaxLoss(g, states, itemEmb, config);
  return { graph: g, loss, scores, userEmbedding };
}

/**
 * The serving graph over the last `window` positions only (window <= maxLen):
 * `seq` is [batch, window], left-padded, and position j takes the trained
 * position embedding maxLen - window + j, so the latest item keeps position
 * maxLen - 1 as in training. Padded keys are masked out exactly, so a history
 * no longer than the window gets the states of the full graph (up to
 * onnxruntime's summation order) at a fraction of the work. Parameters carry
 * the names of buildSasrec's, so a checkpoint of the full model exports it.
 */
export function buildSasrecWindow(
  config: SasrecConfig,
  numItems: number,
  window: number,
): Omit<SasrecGraph, 'loss'> {
  if (!Number.isInteger(window) || window < 1 || window > config.maxLen)
    throw new InvalidArgumentError(
      `window: must be an integer in 1..${config.maxLen}, got ${window}`,
    );
  const g = new Graph();
  const { scores, userEmbedding } = sasrecForward(g, config, numItems, { window });
  return { graph: g, scores, userEmbedding };
}

/** The forward pass shared by training and the serving windows: states, scores, user state. */
function sasrecForward(
  g: Graph,
  config: SasrecConfig,
  numItems: number,
  options: { window: number; freezeItemEmbedding?: boolean },
): { itemEmb: Tensor; real: Tensor; states: Tensor; scores: Tensor; userEmbedding: Tensor } {
  const L = config.maxLen;
  const W = options.window;
  const d = config.hidden;
  const seq = g.input('seq', ['batch', W], 'int64');
  // Xavier scale as in the reference implementation: small item vectors move fast under Adam,
  // which matters for rare items that receive few updates.
  const itemEmb = g.parameter('item_embedding', [numItems + 1, d], {
    init: xavier(),
    trainable: !options.freezeItemEmbedding,
  });
  const posEmb = g.parameter('position_embedding', [L, d], { init: xavier() });

  // [batch, W, 1] 1 where a real item sits, 0 at padding.
  const real = greater(seq, g.scalar(0, 'int64'));
  const mask = unsqueeze(cast(real, g.dtype), [-1]);
  const positions = W === L ? posEmb : slice(posEmb, [L - W], [L], [0]);
  let h = add(mul(gather(itemEmb, seq), Math.sqrt(d)), positions);
  h = mul(dropout(h, config.dropout), mask);

  for (let b = 0; b < config.blocks; b++) {
    const p = (name: string) => `block${b}.${name}`;
    const ln = (name: string) => ({
      gamma: g.parameter(p(`${name}.gamma`), [d], { init: constantInit(1) }),
      beta: g.parameter(p(`${name}.beta`), [d], { init: zeros() }),
    });
    const ln1 = ln('attn_norm');
    const q = layerNorm(h, ln1.gamma, ln1.beta, 1e-8);
    const attn = multiHead(g, q, h, real, config, W, p);
    // The reference implementation drops attention weights (torch MultiheadAttention's dropout);
    // 'output' drops the block's output instead.
    h = add(q, config.attentionDropout === 'output' ? dropout(attn, config.dropout) : attn);
    const ln2 = ln('ffn_norm');
    const x = layerNorm(h, ln2.gamma, ln2.beta, 1e-8);
    const w1 = g.parameter(p('ffn.w1'), [d, d], { init: xavier() });
    const b1 = g.parameter(p('ffn.b1'), [d], { init: zeros() });
    const w2 = g.parameter(p('ffn.w2'), [d, d], { init: xavier() });
    const b2 = g.parameter(p('ffn.b2'), [d], { init: zeros() });
    const ffn = linear(dropout(relu(linear(x, w1, b1)), config.dropout), w2, b2);
    h = mul(add(x, dropout(ffn, config.dropout)), mask);
  }
  const lnF = {
    gamma: g.parameter('final_norm.gamma', [d], { init: constantInit(1) }),
    beta: g.parameter('final_norm.beta', [d], { init: zeros() }),
  };
  const states = layerNorm(h, lnF.gamma, lnF.beta, 1e-8); // [batch, W, d]

  const userEmbedding = squeeze(slice(states, [W - 1], [W], [1]), [1]);
  const candidates = g.input('candidates', ['batch', 'candidates'], 'int64');
  // [batch, C, d] x [batch, d, 1] -> [batch, C]
  const scores = squeeze(matmul(gather(itemEmb, candidates), unsqueeze(userEmbedding, [-1])), [-1]);
  return { itemEmb, real, states, scores, userEmbedding };
}

function multiHead(
  g: Graph,
  q: Tensor,
  kv: Tensor,
  real: Tensor,
  config: SasrecConfig,
  L: number,
  p: (n: string) => string,
): Tensor {
  const d = config.hidden;
  const H = config.heads;
  const proj = (name: string, x: Tensor) =>
    linear(
      x,
      g.parameter(p(`attn.${name}.w`), [d, d], { init: xavier() }),
      g.parameter(p(`attn.${name}.b`), [d], { init: zeros() }),
    );
  const Q = proj('q', q);
  const K = proj('k', kv);
  const V = proj('v', kv);
  let out: Tensor;
  const weightDropout = config.attentionDropout === 'weights' ? config.dropout : 0;
  if (H === 1) {
    out = causalAttention(Q, K, V, real, weightDropout);
  } else {
    const split = (x: Tensor) => transpose(reshape(x, ['batch', L, H, d / H]), [0, 2, 1, 3]);
    const o = causalAttention(split(Q), split(K), split(V), unsqueeze(real, [1]), weightDropout);
    out = reshape(transpose(o, [0, 2, 1, 3]), ['batch', L, d]);
  }
  return linear(
    out,
    g.parameter(p('attn.out.w'), [d, d], { init: xavier() }),
    g.parameter(p('attn.out.b'), [d], { init: zeros() }),
  );
}

/**
 * Scaled dot-product attention, causal, with padded keys masked out exactly
 * and dropout on the attention weights (the engine's `attention` has none).
 */
function causalAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  keyMask: Tensor,
  weightDropout: number,
): Tensor {
  const dk = q.shape[q.rank - 1] as number;
  const L = q.shape[q.rank - 2] as number;
  const allowed = q.graph.constant(
    Array.from({ length: L * L }, (_, i) => (i % L <= Math.floor(i / L) ? 1 : 0)),
    [L, L],
    'bool',
  );
  let scores = div(matmul(q, transposeLast(k)), Math.sqrt(dk));
  scores = where(allowed, scores, -1e9);
  scores = where(unsqueeze(keyMask, [-2]), scores, -1e9);
  return matmul(dropout(softmax(scores, -1), weightDropout), v);
}

/** The paper's objective (shared with GRU4Rec): BCE on the next item (positive) and one sampled negative, at every non-padding position. */
export function bceLoss(g: Graph, states: Tensor, itemEmb: Tensor, _real: Tensor): Tensor {
  const pos = g.input('pos', ['batch', states.shape[1]], 'int64');
  const neg = g.input('neg', ['batch', states.shape[1]], 'int64');
  const posLogits = reduceSum(mul(states, gather(itemEmb, pos)), [-1]);
  const negLogits = reduceSum(mul(states, gather(itemEmb, neg)), [-1]);
  const weights = cast(greater(pos, g.scalar(0, 'int64')), g.dtype);
  const logits = concat([posLogits, negLogits], 1);
  const targets = concat([mul(weights, 1), mul(weights, 0)], 1);
  return bceWithLogits(logits, targets, concat([weights, weights], 1));
}

/**
 * Sampled softmax: at each position the next item competes with N negatives
 * shared by the batch (column 0 is the positive); weighted mean over
 * non-padding positions.
 */
export function softmaxLoss(
  g: Graph,
  states: Tensor,
  itemEmb: Tensor,
  config: Pick<SasrecConfig, 'maxLen' | 'negatives'>,
): Tensor {
  const L = config.maxLen;
  const pos = g.input('pos', ['batch', L], 'int64');
  const negatives = g.input('negatives', [config.negatives], 'int64');
  const weights = cast(greater(pos, g.scalar(0, 'int64')), g.dtype);
  const posLogits = unsqueeze(reduceSum(mul(states, gather(itemEmb, pos)), [-1]), [-1]); // [B, L, 1]
  const negLogits = matmul(states, transposeLast(gather(itemEmb, negatives))); // [B, L, N]
  const logProbPositive = squeeze(
    slice(logSoftmax(concat([posLogits, negLogits], 2), -1), [0], [1], [2]),
    [2],
  );
  return neg(div(reduceSum(mul(logProbPositive, weights)), reduceSum(weights)));
}
