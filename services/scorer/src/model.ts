import {
  add,
  crossEntropyWithLogits,
  Graph,
  linear,
  matmul,
  relu,
  squeeze,
  unsqueeze,
  xavier,
  zeros,
  type Tensor,
} from '@thoughtspace/engine';

/** Shapes of one scorer: C candidates per case, F numeric features per candidate, reason dim P, item dim D. */
export interface ScorerShape {
  candidates: number;
  features: number;
  reasonDim: number;
  itemDim: number;
  hidden: number;
}

export interface ScorerGraph {
  graph: Graph;
  logits: Tensor;
  loss: Tensor;
}

/**
 * logit[b, c] = MLP(features[b, c]) + reason[b]^T W item[b, c]
 *
 * The MLP weighs the collaborative signals (SASRec logit, popularity,
 * transitions, Thought-Space agreement of the reason with history + c); the
 * bilinear term lets the reason's content prefer candidates it describes.
 * A case without a reason feeds zeros, which switches the bilinear term off.
 */
export function buildScorer(shape: ScorerShape): ScorerGraph {
  const g = new Graph();
  const features = g.input('features', ['batch', shape.candidates, shape.features]);
  const reason = g.input('reason', ['batch', shape.reasonDim]);
  const items = g.input('items', ['batch', shape.candidates, shape.itemDim]);
  const label = g.input('label', ['batch'], 'int64');
  const w1 = g.parameter('mlp.w1', [shape.features, shape.hidden], { init: xavier() });
  const b1 = g.parameter('mlp.b1', [shape.hidden], { init: zeros() });
  const w2 = g.parameter('mlp.w2', [shape.hidden, 1], { init: xavier() });
  const wf = g.parameter('linear.w', [shape.features, 1], { init: zeros() });
  const bil = g.parameter('bilinear.w', [shape.reasonDim, shape.itemDim], { init: zeros() });
  const mlp = add(linear(relu(linear(features, w1, b1)), w2), linear(features, wf)); // [B, C, 1]
  const projected = unsqueeze(matmul(reason, bil), [-1]); // [B, D, 1]
  const bilinear = matmul(items, projected); // [B, C, 1]
  const logits = squeeze(add(mlp, bilinear), [-1]);
  return { graph: g, logits, loss: crossEntropyWithLogits(logits, label) };
}
