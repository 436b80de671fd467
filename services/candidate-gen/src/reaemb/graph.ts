import {
  add,
  attention,
  cast,
  concat,
  constantInit,
  div,
  exp,
  gelu,
  Graph,
  greater,
  l2Normalize,
  layerNorm,
  linear,
  logSoftmax,
  matmul,
  maximum,
  normal,
  minimum,
  mul,
  multiHeadAttention,
  neg,
  reduceMean,
  reduceSum,
  slice,
  sub,
  transposeLast,
  unsqueeze,
  xavier,
  zeros,
  gather,
  type Tensor,
} from '@thoughtspace/engine';
import type { ReaEmbConfig } from './config';

/**
 * ReaEmb's item-embedding generator as engine graphs. Every graph built here
 * names its parameters the same way, so a trainer of one (LRCL, CRRL) hands
 * its parameters to another (inference export) unchanged.
 *
 * Input `tokens` [batch, T] int64 (0 = padding on the right). The thought
 * token sits at position T, after the attributes.
 */
interface Params {
  tokens: Tensor;
  thoughtToken: Tensor;
  position: Tensor;
  blocks: {
    ln1: [Tensor, Tensor];
    qkv: [Tensor, Tensor, Tensor];
    out: Tensor;
    ln2: [Tensor, Tensor];
    w1: Tensor;
    b1: Tensor;
    w2: Tensor;
    b2: Tensor;
  }[];
  finalNorm: [Tensor, Tensor];
  thoughtQ: Tensor;
  thoughtK: Tensor;
  thoughtV: Tensor;
  thoughtOut: Tensor;
}

function parameters(g: Graph, c: ReaEmbConfig, vocabSize: number): Params {
  const d = c.hidden;
  const p = (name: string, shape: number[], init = xavier()) =>
    g.parameter(`reaemb.${name}`, shape, { init });
  const norm = (name: string): [Tensor, Tensor] => [
    p(`${name}.gamma`, [d], constantInit(1)),
    p(`${name}.beta`, [d], zeros()),
  ];
  return {
    tokens: p('token_embedding', [vocabSize, d]),
    thoughtToken: p('thought_token', [d], normal(0.02)),
    position: p('position_embedding', [c.maxTokens + 1, d]),
    blocks: Array.from({ length: c.blocks }, (_, b) => ({
      ln1: norm(`block${b}.attn_norm`),
      qkv: [p(`block${b}.q`, [d, d]), p(`block${b}.k`, [d, d]), p(`block${b}.v`, [d, d])],
      out: p(`block${b}.o`, [d, d]),
      ln2: norm(`block${b}.ffn_norm`),
      w1: p(`block${b}.ffn.w1`, [d, 2 * d]),
      b1: p(`block${b}.ffn.b1`, [2 * d], zeros()),
      w2: p(`block${b}.ffn.w2`, [2 * d, d]),
      b2: p(`block${b}.ffn.b2`, [d], zeros()),
    })),
    finalNorm: norm('final_norm'),
    thoughtQ: p('thought.q', [d, d]),
    thoughtK: p('thought.k', [d, d]),
    thoughtV: p('thought.v', [d, d]),
    thoughtOut: p('thought.o', [d, d]),
  };
}

/** Pre-norm transformer blocks over [batch, T+1, d]; `mask` bool [batch, T+1] marks real positions. */
function tower(P: Params, c: ReaEmbConfig, x: Tensor, mask: Tensor): Tensor {
  let h = x;
  for (const b of P.blocks) {
    const q = layerNorm(h, b.ln1[0], b.ln1[1]);
    const att = multiHeadAttention(
      matmul(q, b.qkv[0]),
      matmul(q, b.qkv[1]),
      matmul(q, b.qkv[2]),
      c.heads,
      { keyMask: mask },
    );
    h = add(h, matmul(att, b.out));
    const f = layerNorm(h, b.ln2[0], b.ln2[1]);
    h = add(h, linear(gelu(linear(f, b.w1, b.b1)), b.w2, b.b2));
  }
  return layerNorm(h, P.finalNorm[0], P.finalNorm[1]);
}

interface Encoded {
  /** Pass-1 latent thought (the policy mean in CRRL) [batch, 1, d]. */
  thought: Tensor;
  /** Item embedding from pass 2 [batch, d]. */
  embedding: Tensor;
}

/**
 * The two-pass forward. Pass 1 runs the tower with the learned thought
 * token; the attention module (query at the thought position, keys/values
 * over the earlier attribute states) pools a latent thought; pass 2 runs the
 * tower again with that thought in place of the thought token's input
 * embedding; the item embedding is the mean of pass-2 states over real
 * positions (attributes and thought). `thoughtOverride` [batch, 1, d]
 * replaces the pooled thought in pass 2 (CRRL's sampled thoughts).
 */
function encode(
  g: Graph,
  P: Params,
  c: ReaEmbConfig,
  tokens: Tensor,
  thoughtOverride?: Tensor,
): Encoded {
  const T = c.maxTokens;
  const d = c.hidden;
  const real = greater(tokens, g.scalar(0, 'int64')); // [B, T]
  const realF = cast(real, g.dtype);
  const ones = add(mul(slice(realF, [0], [1], [1]), 0), 1); // [B, 1]
  const maskF = concat([realF, ones], 1); // [B, T+1]
  const mask = greater(maskF, 0.5);
  const tok = mul(gather(P.tokens, tokens), Math.sqrt(d)); // [B, T, d]
  const thoughtIn = add(mul(slice(tok, [0], [1], [1]), 0), P.thoughtToken); // [B, 1, d]
  const s1 = tower(P, c, add(concat([tok, thoughtIn], 1), P.position), mask);
  const query = slice(s1, [T], [T + 1], [1]); // [B, 1, d]
  const earlier = slice(s1, [0], [T], [1]); // [B, T, d]
  const pooled = attention(
    matmul(query, P.thoughtQ),
    matmul(earlier, P.thoughtK),
    matmul(earlier, P.thoughtV),
    {
      keyMask: real,
    },
  );
  const thought = matmul(pooled, P.thoughtOut);
  const used = thoughtOverride ?? thought;
  const s2 = tower(P, c, add(concat([tok, used], 1), P.position), mask);
  const w = unsqueeze(maskF, [-1]);
  const embedding = div(reduceSum(mul(s2, w), [1]), reduceSum(w, [1]));
  return { thought, embedding };
}

export interface ReaEmbInference {
  graph: Graph;
  /** [batch, d] item embeddings (clean thought). */
  embedding: Tensor;
  /** [batch, 1, d] pooled thought (pass 1). */
  thought: Tensor;
}

export function buildReaEmbInference(c: ReaEmbConfig, vocabSize: number): ReaEmbInference {
  const g = new Graph();
  const P = parameters(g, c, vocabSize);
  const tokens = g.input('tokens', ['batch', c.maxTokens], 'int64');
  const { embedding, thought } = encode(g, P, c, tokens);
  return { graph: g, embedding, thought };
}

export interface Probes {
  /** Clean item embeddings of `tokens` ['batch', T]. */
  embedding: Tensor;
  /** Pass-1 thoughts of `tokens` ['batch', 1, d]. */
  thought: Tensor;
  /** Embeddings of `tokens` with the pass-2 thought given as `thought` ['batch', 1, d]. */
  withThought: Tensor;
}

/** Read-out heads on a training graph (not part of its loss), evaluated with the trainer's current parameters. */
function probes(g: Graph, P: Params, c: ReaEmbConfig): Probes {
  const tokens = g.input('tokens', ['batch', c.maxTokens], 'int64');
  const given = g.input('thought', ['batch', 1, c.hidden]);
  const clean = encode(g, P, c, tokens);
  return {
    embedding: clean.embedding,
    thought: clean.thought,
    withThought: encode(g, P, c, tokens, given).embedding,
  };
}

export interface LrclGraph {
  graph: Graph;
  probes: Probes;
  loss: Tensor;
  temperature: Tensor;
}

/**
 * LRCL: views `view_a`/`view_b` [B, T] of the same B items. Cosine
 * similarities scaled by a learnable inverse temperature (log-parameterised),
 * soft targets ((1 - s) on the matching item, s spread over the batch),
 * cross-entropy in both directions, averaged.
 */
export function buildLrcl(c: ReaEmbConfig, vocabSize: number): LrclGraph {
  const g = new Graph();
  const P = parameters(g, c, vocabSize);
  const B = c.batch;
  const a = encode(g, P, c, g.input('view_a', [B, c.maxTokens], 'int64')).embedding;
  const b = encode(g, P, c, g.input('view_b', [B, c.maxTokens], 'int64')).embedding;
  const logScale = g.parameter('reaemb.lrcl.log_scale', [1], {
    init: constantInit(Math.log(1 / c.temperature)),
  });
  const sims = mul(matmul(l2Normalize(a), transposeLast(l2Normalize(b))), exp(logScale));
  const s = c.smoothing;
  const target = g.constant(
    Array.from({ length: B * B }, (_, i) => (i % (B + 1) === 0 ? 1 - s : 0) + s / B),
    [B, B],
  );
  const ce = (logits: Tensor) =>
    neg(reduceMean(reduceSum(mul(logSoftmax(logits, -1), target), [-1])));
  const loss = mul(add(ce(sims), ce(transposeLast(sims))), 0.5);
  return { graph: g, probes: probes(g, P, c), loss, temperature: div(1, exp(logScale)) };
}

export interface CrrlGraph {
  graph: Graph;
  probes: Probes;
  loss: Tensor;
  /** Mean clipped-ratio fraction, for logging. */
  ratio: Tensor;
}

/**
 * CRRL's clipped policy update. The policy is a Gaussian over the latent
 * thought with mean = the pooled thought (pass 1) and fixed sd `noise`.
 * Inputs: `tokens` [B, T]; `thoughts` [B, G, d] (the sampled thoughts the
 * rewards were computed with); `old_logp` [B, G] (their log-density under
 * the policy that sampled them); `advantages` [B, G] (group-relative).
 * Loss = -mean(min(r A, clip(r, 1-e, 1+e) A)), r = exp(logp - old_logp).
 */
export function buildCrrl(c: ReaEmbConfig, vocabSize: number): CrrlGraph {
  const g = new Graph();
  const P = parameters(g, c, vocabSize);
  const B = c.batch;
  const G = c.group;
  const tokens = g.input('anchor_tokens', [B, c.maxTokens], 'int64');
  const thoughts = g.input('thoughts', [B, G, c.hidden]);
  const oldLogp = g.input('old_logp', [B, G]);
  const adv = g.input('advantages', [B, G]);
  const { thought } = encode(g, P, c, tokens); // [B, 1, d]
  const diff = sub(thoughts, thought);
  const logp = neg(div(reduceSum(mul(diff, diff), [-1]), 2 * c.noise * c.noise));
  const ratio = exp(sub(logp, oldLogp));
  const clipped = minimum(maximum(ratio, 1 - c.clip), 1 + c.clip);
  const objective = minimum(mul(ratio, adv), mul(clipped, adv));
  return {
    graph: g,
    probes: probes(g, P, c),
    loss: neg(reduceMean(objective)),
    ratio: reduceMean(ratio),
  };
}

/** Gaussian log-density of a thought sample up to the constant shared by old and new policy. */
export function thoughtLogDensity(
  sample: ArrayLike<number>,
  mean: ArrayLike<number>,
  sd: number,
): number {
  let s = 0;
  for (let i = 0; i < sample.length; i++) s += (sample[i] - mean[i]) ** 2;
  return -s / (2 * sd * sd);
}
