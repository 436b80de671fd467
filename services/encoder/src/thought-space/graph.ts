import {
  add,
  constantInit,
  div,
  dropout,
  gather,
  gelu,
  Graph,
  greater,
  l2Normalize,
  layerNorm,
  linear,
  logSoftmax,
  matmul,
  maximum,
  mul,
  multiHeadAttention,
  neg,
  normal,
  reduceMean,
  reduceSum,
  reshape,
  transposeLast,
  unsqueeze,
  xavier,
  zeros,
  type Initializer,
  type Tensor,
} from '@thoughtspace/engine';
import type { ThoughtSpaceConfig } from './config';

export type TowerName = 'rationale' | 'behaviour';

/** Serving inputs and output of one tower: tokens/mask [batch, L] -> embedding [batch, outputDim]. */
export interface TowerEndpoints {
  tokens: Tensor;
  mask: Tensor;
  embedding: Tensor;
}

/**
 * Both towers in one engine graph. The serving endpoints (symbolic batch,
 * dropout off) and the training loss (static batch of groupsPerStep x
 * groupSize pairs, dropout on) are two applications of the same parameters,
 * so the exported towers are exactly the trained ones.
 *
 * Parameter names: `embedding` (shared) or `<tower>.embedding`, then
 * `<tower>.input_proj`, `<tower>.position`, `<tower>.block<i>.*`,
 * `<tower>.final_norm.*`, `<tower>.proj.*`.
 */
export interface ThoughtSpaceGraph {
  graph: Graph;
  loss: Tensor;
  rationale: TowerEndpoints;
  behaviour: TowerEndpoints;
}

/** Input names of the serving graph of a tower. */
export function inputNames(tower: TowerName): { tokens: string; mask: string; output: string } {
  return { tokens: `${tower}_tokens`, mask: `${tower}_mask`, output: `${tower}_embedding` };
}

export function buildThoughtSpace(
  config: ThoughtSpaceConfig,
  vocabSize: number,
  tableInit?: Initializer,
): ThoughtSpaceGraph {
  const g = new Graph();
  const init = tableInit ?? normal(0.1);
  const shared = config.shareEmbeddings
    ? g.parameter('embedding', [vocabSize, config.embeddingDim], { init })
    : undefined;
  const towers = {
    rationale: towerParams(g, 'rationale', config, config.rationaleTokens, vocabSize, init, shared),
    behaviour: towerParams(g, 'behaviour', config, config.behaviourTokens, vocabSize, init, shared),
  };
  const endpoints = (name: TowerName): TowerEndpoints => {
    const n = inputNames(name);
    const L = name === 'rationale' ? config.rationaleTokens : config.behaviourTokens;
    const tokens = g.input(n.tokens, ['batch', L], 'int64');
    const mask = g.input(n.mask, ['batch', L], 'float32');
    return { tokens, mask, embedding: applyTower(towers[name], tokens, mask, config, 0) };
  };
  const rationale = endpoints('rationale');
  const behaviour = endpoints('behaviour');

  const S = config.groupSize;
  const G = config.groupsPerStep;
  const trainTower = (name: TowerName, L: number) => {
    const tokens = g.input(`train.${name}_tokens`, [G * S, L], 'int64');
    const mask = g.input(`train.${name}_mask`, [G * S, L], 'float32');
    const e = applyTower(towers[name], tokens, mask, config, config.dropout);
    return reshape(e, [G, S, config.outputDim]);
  };
  const r = trainTower('rationale', config.rationaleTokens);
  const b = trainTower('behaviour', config.behaviourTokens);
  const loss = groupInfoNce(g, b, r, config.temperature, config.symmetric);
  return { graph: g, loss, rationale, behaviour };
}

/**
 * InfoNCE within each group: b, r are [G, S, d] L2-normalised; row i of a
 * group's behaviours should pick row i of its rationales among the S
 * (cosine / temperature). `symmetric` averages in the other direction.
 */
function groupInfoNce(
  g: Graph,
  b: Tensor,
  r: Tensor,
  temperature: number,
  symmetric: boolean,
): Tensor {
  const S = b.shape[1] as number;
  const sims = div(matmul(b, transposeLast(r)), temperature); // [G, S, S]
  const eye = g.constant(
    Array.from({ length: S * S }, (_, i) => (i % (S + 1) === 0 ? 1 : 0)),
    [S, S],
    g.dtype,
  );
  const direction = (axis: number) =>
    neg(reduceMean(reduceSum(mul(logSoftmax(sims, axis), eye), [axis])));
  const b2r = direction(-1);
  return symmetric ? mul(add(b2r, direction(-2)), 0.5) : b2r;
}

interface TowerParams {
  name: TowerName;
  table: Tensor;
  inputProj?: Tensor;
  position: Tensor;
  embedNorm: { gamma: Tensor; beta: Tensor };
  blocks: {
    attnNorm: { gamma: Tensor; beta: Tensor };
    q: Tensor;
    k: Tensor;
    v: Tensor;
    o: Tensor;
    ffnNorm: { gamma: Tensor; beta: Tensor };
    w1: Tensor;
    b1: Tensor;
    w2: Tensor;
    b2: Tensor;
  }[];
  finalNorm: { gamma: Tensor; beta: Tensor };
  projW: Tensor;
  projB: Tensor;
}

function towerParams(
  g: Graph,
  name: TowerName,
  c: ThoughtSpaceConfig,
  length: number,
  vocabSize: number,
  init: Initializer,
  shared: Tensor | undefined,
): TowerParams {
  const p = (n: string) => `${name}.${n}`;
  const d = c.dim;
  const norm = (n: string) => ({
    gamma: g.parameter(p(`${n}.gamma`), [d], { init: constantInit(1) }),
    beta: g.parameter(p(`${n}.beta`), [d], { init: zeros() }),
  });
  const table = shared ?? g.parameter(p('embedding'), [vocabSize, c.embeddingDim], { init });
  const inputProj =
    c.embeddingDim !== d
      ? g.parameter(p('input_proj'), [c.embeddingDim, d], { init: xavier() })
      : undefined;
  const blocks = [];
  for (let i = 0; i < c.blocks; i++) {
    const b = (n: string) => p(`block${i}.${n}`);
    const sq = (n: string) => g.parameter(b(n), [d, d], { init: xavier() });
    blocks.push({
      attnNorm: norm(`block${i}.attn_norm`),
      q: sq('attn.q'),
      k: sq('attn.k'),
      v: sq('attn.v'),
      o: sq('attn.o'),
      ffnNorm: norm(`block${i}.ffn_norm`),
      w1: g.parameter(b('ffn.w1'), [d, d * c.ffnMultiplier], { init: xavier() }),
      b1: g.parameter(b('ffn.b1'), [d * c.ffnMultiplier], { init: zeros() }),
      w2: g.parameter(b('ffn.w2'), [d * c.ffnMultiplier, d], { init: xavier() }),
      b2: g.parameter(b('ffn.b2'), [d], { init: zeros() }),
    });
  }
  return {
    name,
    table,
    inputProj,
    position: g.parameter(p('position'), [length, d], { init: normal(0.02) }),
    embedNorm: norm('embed_norm'),
    blocks,
    finalNorm: norm('final_norm'),
    projW: g.parameter(p('proj.w'), [d, c.outputDim], { init: xavier() }),
    projB: g.parameter(p('proj.b'), [c.outputDim], { init: zeros() }),
  };
}

/**
 * tokens [B, L] int64, mask [B, L] float (1 real, 0 padding) -> [B, outputDim], L2-normalised.
 * Padding is exact: padded keys get -1e9 before the softmax (weight exactly 0
 * in float32) and padded positions are left out of the mean, so ids under a
 * 0 mask never reach the output.
 */
function applyTower(
  t: TowerParams,
  tokens: Tensor,
  mask: Tensor,
  c: ThoughtSpaceConfig,
  rate: number,
): Tensor {
  let h = gather(t.table, tokens); // [B, L, E]
  if (t.inputProj) h = linear(h, t.inputProj);
  h = layerNorm(add(h, t.position), t.embedNorm.gamma, t.embedNorm.beta);
  h = dropout(h, rate);
  const keyMask = greater(mask, 0.5);
  for (const b of t.blocks) {
    const x = layerNorm(h, b.attnNorm.gamma, b.attnNorm.beta);
    const attn = multiHeadAttention(linear(x, b.q), linear(x, b.k), linear(x, b.v), c.heads, {
      keyMask,
    });
    h = add(h, dropout(linear(attn, b.o), rate));
    const y = layerNorm(h, b.ffnNorm.gamma, b.ffnNorm.beta);
    h = add(h, dropout(linear(gelu(linear(y, b.w1, b.b1)), b.w2, b.b2), rate));
  }
  h = layerNorm(h, t.finalNorm.gamma, t.finalNorm.beta);
  const m = unsqueeze(mask, [-1]); // [B, L, 1]
  const count = maximum(reduceSum(mask, [1], true), 1); // [B, 1]
  const pooled = div(reduceSum(mul(h, m), [1]), count); // [B, d]
  return l2Normalize(linear(pooled, t.projW, t.projB));
}
