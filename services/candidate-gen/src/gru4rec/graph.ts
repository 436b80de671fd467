import {
  add,
  cast,
  concat,
  dropout,
  gather,
  Graph,
  greater,
  matmul,
  mul,
  sigmoid,
  slice,
  squeeze,
  sub,
  tanh,
  unsqueeze,
  xavier,
  zeros,
  type Tensor,
} from '@thoughtspace/engine';
import { bceLoss, softmaxLoss, type SasrecGraph } from '../sasrec/graph';
import type { Gru4recConfig } from './config';

/**
 * GRU4Rec as one engine graph with SASRec's interface (so training, export,
 * serving and evaluation are shared): `seq` [batch, L] int64, left-padded,
 * item index i is id i + 1; training adds `pos`/`neg` (or `negatives`);
 * serving adds `candidates` [batch, C]. Outputs `loss`, `scores` [batch, C],
 * `user_embedding` [batch, hidden] (the state after the last item).
 *
 * One GRU layer (Cho et al. 2014 gates, PyTorch's convention: the reset gate
 * multiplies the recurrent candidate term), unrolled over L steps from
 * primitives whose gradients the engine already checks. Padding positions keep
 * the previous state (h stays 0 before the first real item), so a history's
 * state does not depend on how much padding precedes it. The catalogue output
 * is tied to the input item table (dot product with `item_embedding`), so the
 * served top-k and the checkpoint's item table are the same as SASRec's.
 */
export function buildGru4rec(
  config: Gru4recConfig,
  numItems: number,
  options: { freezeItemEmbedding?: boolean } = {},
): SasrecGraph {
  const g = new Graph();
  const L = config.maxLen;
  const d = config.hidden;
  const h = config.gruHidden;
  const seq = g.input('seq', ['batch', L], 'int64');
  const itemEmb = g.parameter('item_embedding', [numItems + 1, d], {
    init: xavier(),
    trainable: !options.freezeItemEmbedding,
  });
  const real = greater(seq, g.scalar(0, 'int64'));
  const mask = unsqueeze(cast(real, g.dtype), [-1]); // [B, L, 1]
  // Scaled by sqrt(d) as SASRec's input: the Xavier-sized item table (kept so ReaEmb's adapter
  // fits both) would otherwise feed the gates near-zero inputs on large catalogues.
  const x = dropout(mul(gather(itemEmb, seq), Math.sqrt(d)), config.dropout); // [B, L, d]

  // Input-side gate pre-activations for every step at once: [B, L, h] each.
  const gate = (name: string) => ({
    wx: g.parameter(`gru.${name}.wx`, [d, h], { init: xavier() }),
    wh: g.parameter(`gru.${name}.wh`, [h, h], { init: xavier() }),
    bx: g.parameter(`gru.${name}.bx`, [h], { init: zeros() }),
    bh: g.parameter(`gru.${name}.bh`, [h], { init: zeros() }),
  });
  const reset = gate('reset');
  const update = gate('update');
  const cand = gate('candidate');
  const xr = add(matmul(x, reset.wx), reset.bx);
  const xz = add(matmul(x, update.wx), update.bx);
  const xn = add(matmul(x, cand.wx), cand.bx);
  const at = (t: Tensor, step: number) => squeeze(slice(t, [step], [step + 1], [1]), [1]);

  let state: Tensor | undefined;
  const states: Tensor[] = [];
  for (let step = 0; step < L; step++) {
    const m = at(mask, step); // [B, 1]
    let next: Tensor;
    if (!state) {
      // h_{-1} = 0: the recurrent terms reduce to their biases.
      const r = sigmoid(add(at(xr, step), reset.bh));
      const z = sigmoid(add(at(xz, step), update.bh));
      const n = tanh(add(at(xn, step), mul(r, cand.bh)));
      next = mul(sub(1, z), n);
      next = mul(m, next);
    } else {
      const r = sigmoid(add(at(xr, step), add(matmul(state, reset.wh), reset.bh)));
      const z = sigmoid(add(at(xz, step), add(matmul(state, update.wh), update.bh)));
      const n = tanh(add(at(xn, step), mul(r, add(matmul(state, cand.wh), cand.bh))));
      const hNew = add(mul(sub(1, z), n), mul(z, state));
      // Padding keeps the previous state.
      next = add(mul(m, hNew), mul(sub(1, m), state));
    }
    state = next;
    states.push(unsqueeze(next, [1]));
  }
  let all = concat(states, 1); // [B, L, h]
  if (h !== d) {
    const wo = g.parameter('gru.output.w', [h, d], { init: xavier() });
    all = matmul(all, wo);
  }
  const outputs = mul(all, mask); // [B, L, d]

  const userEmbedding = squeeze(slice(outputs, [L - 1], [L], [1]), [1]);
  const candidates = g.input('candidates', ['batch', 'candidates'], 'int64');
  const scores = squeeze(matmul(gather(itemEmb, candidates), unsqueeze(userEmbedding, [-1])), [-1]);

  const trainStates = dropout(outputs, config.dropout);
  const loss =
    config.loss === 'bce'
      ? bceLoss(g, trainStates, itemEmb, real)
      : softmaxLoss(g, trainStates, itemEmb, config);
  return { graph: g, loss, scores, userEmbedding };
}
