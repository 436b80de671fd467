// A small classifier used by the engine's tests: embedding bag -> layer norm
// -> GELU MLP with dropout -> softmax cross-entropy, with a symbolic batch axis.
import { Graph, Tensor } from './graph';
import { Rng, normal, xavier, zeros, constantInit } from '../init';
import { add, cast, equal, gather, matmul, reduceMax, reduceMean } from './ops';
import { crossEntropyWithLogits, dropout, gelu, layerNorm } from '../nn';
import { TensorValue } from '../runner';

export interface Classifier {
  graph: Graph;
  tokens: Tensor;
  labels: Tensor;
  logits: Tensor;
  loss: Tensor;
  accuracy: Tensor;
}

export function buildClassifier(
  options: {
    vocab?: number;
    dim?: number;
    hidden?: number;
    classes?: number;
    dropout?: number;
  } = {},
): Classifier {
  const { vocab = 20, dim = 8, hidden = 16, classes = 3 } = options;
  const g = new Graph();
  const tokens = g.input('tokens', ['batch', 4], 'int64');
  const labels = g.input('labels', ['batch'], 'int64');
  const emb = g.parameter('emb', [vocab, dim], { init: normal(0.5) });
  const gamma = g.parameter('ln.gamma', [dim], { init: constantInit(1) });
  const beta = g.parameter('ln.beta', [dim], { init: zeros() });
  const w1 = g.parameter('w1', [dim, hidden], { init: xavier() });
  const b1 = g.parameter('b1', [hidden], { init: zeros() });
  const w2 = g.parameter('w2', [hidden, classes], { init: xavier() });
  const pooled = layerNorm(reduceMean(gather(emb, tokens), [1]), gamma, beta);
  const h = dropout(gelu(add(matmul(pooled, w1), b1)), options.dropout ?? 0.1);
  const logits = matmul(h, w2);
  const loss = crossEntropyWithLogits(logits, labels);
  const hit = cast(equal(logits, reduceMax(logits, [1], true)), 'float32');
  const picked = reduceMean(hit); // fraction of (row, class) cells that are the row max
  return { graph: g, tokens, labels, logits, loss, accuracy: picked };
}

/** Batches where the label is (first token) mod classes: learnable, deterministic. */
export function classifierBatch(
  seed: number,
  batch = 16,
  vocab = 20,
  classes = 3,
): Record<string, TensorValue> {
  const rng = new Rng(seed);
  const tokens = new BigInt64Array(batch * 4);
  const labels = new BigInt64Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < 4; j++) tokens[b * 4 + j] = BigInt(Math.floor(rng.uniform() * vocab));
    labels[b] = tokens[b * 4] % BigInt(classes);
  }
  return {
    tokens: { dtype: 'int64', dims: [batch, 4], data: tokens },
    labels: { dtype: 'int64', dims: [batch], data: labels },
  };
}
