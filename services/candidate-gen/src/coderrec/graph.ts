import {
  add,
  cast,
  constantInit,
  div,
  dropout,
  gather,
  Graph,
  greater,
  l2Normalize,
  layerNorm,
  linear,
  logSoftmax,
  matmul,
  mul,
  multiHeadAttention,
  neg,
  normal,
  oneHot,
  reduceSum,
  relu,
  slice,
  softmax,
  squeeze,
  sub,
  transposeLast,
  unsqueeze,
  where,
  xavier,
  zeros,
  type Tensor,
} from '@thoughtspace/engine';
import type { CoderRecConfig } from './config';
import { rqDecoder } from './rqvae';

/** What the sequential model needs from the item side (the RQ-VAE and the text vectors). */
export interface CoderRecItems {
  numItems: number;
  /** Semantic IDs [numItems, levels + 1] (last = collision level). */
  codes: Int32Array;
  levels: number;
  codesPerLevel: number;
  collisionCodes: number;
  /** Text-space item vectors [numItems, dim]: the alignment targets. */
  vectors: Float32Array;
  dim: number;
  /** Trained RQ-VAE parameters (codebooks and decoder), frozen inside CoderRec. */
  rqvae: ReadonlyMap<string, Float32Array>;
  latent: number;
}

export interface CoderRecGraph {
  graph: Graph;
  /** Training loss (absent when built for export). */
  loss?: Tensor;
  /** Loss parts, for logging. */
  parts?: { rec: Tensor; id: Tensor; align: Tensor };
  /** [batch, d]: the mixed state at the last position (inference path: no Gumbel noise, tau = tauEnd). */
  userEmbedding: Tensor;
  /** [batch, C] logits of `candidates`. */
  scores: Tensor;
  /** Mix weights (plain, reasoned, decoded) after softmax. */
  mix: Tensor;
}

/**
 * CoderRec's sequential model. Inputs: `seq` [batch, L] (item index + 1, 0 =
 * padding, left-padded); training adds `pos` [batch, L] (next item, 0 at
 * padding), `gumbel` [batch, L, levels, K] Gumbel(0, 1) noise and `tau` [].
 * `reasoning` = number of latent thinking passes (0 in phase 1).
 */
export function buildCoderRec(
  c: CoderRecConfig,
  items: CoderRecItems,
  options: { reasoning: number; train: boolean },
): CoderRecGraph {
  const g = new Graph();
  const L = c.maxLen;
  const d = c.hidden;
  const N = items.numItems;
  const Lv = items.levels;
  const K = items.codesPerLevel;
  const p = (name: string, shape: number[], init = xavier()) =>
    g.parameter(`coderrec.${name}`, shape, { init });

  // Item side, frozen: semantic-ID tokens per item id, raw codes, text vectors, RQ-VAE codebooks and decoder.
  const tokenRows: number[] = new Array((N + 1) * (Lv + 1)).fill(0);
  const codeRows: number[] = new Array((N + 1) * Lv).fill(0);
  for (let i = 0; i < N; i++) {
    for (let l = 0; l <= Lv; l++)
      tokenRows[(i + 1) * (Lv + 1) + l] = 1 + l * K + items.codes[i * (Lv + 1) + l];
    for (let l = 0; l < Lv; l++) codeRows[(i + 1) * Lv + l] = items.codes[i * (Lv + 1) + l];
  }
  const semTokens = g.constant(tokenRows, [N + 1, Lv + 1], 'int64');
  const rawCodes = g.constant(codeRows, [N + 1, Lv], 'int64');
  const frozen = (name: string) => {
    const v = items.rqvae.get(name);
    if (!v) throw new Error(`coderrec: RQ-VAE parameter ${name} missing`);
    return v;
  };
  const books = Array.from({ length: Lv }, (_, l) =>
    g.constant(frozen(`rqvae.codebook${l}`), [K, items.latent]),
  );
  const decoderShapes: Record<string, number[]> = {
    'rqvae.dec.w1': [items.latent, c.rqvae.hidden],
    'rqvae.dec.b1': [c.rqvae.hidden],
    'rqvae.dec.w2': [c.rqvae.hidden, items.dim],
    'rqvae.dec.b2': [items.dim],
  };
  const decoder = new Map(
    Object.entries(decoderShapes).map(([k, s]) => [k, g.constant(frozen(k), s)]),
  );

  const itemEmb = g.parameter('item_embedding', [N + 1, d], { init: xavier() });
  const semEmb = p('semantic_embedding', [1 + Lv * K + items.collisionCodes, d]);
  const posEmb = p('position_embedding', [L, d]);
  const thinkEmb = p('thinking_embedding', [Math.max(1, options.reasoning), d], normal(0.02));
  const idHeads = Array.from({ length: Lv }, (_, l) => ({
    w: p(`id_head${l}.w`, [d, K]),
    b: p(`id_head${l}.b`, [K], zeros()),
  }));
  const fromText = p('decoded_projection', [items.dim, d]);
  const mixLogits = p('mix', [3], zeros());
  const blocks = Array.from({ length: c.blocks }, (_, b) => {
    const q = (n: string, s: number[], init = xavier()) => p(`block${b}.${n}`, s, init);
    return {
      ln1: [q('attn_norm.gamma', [d], constantInit(1)), q('attn_norm.beta', [d], zeros())],
      wq: q('attn.q', [d, d]),
      wk: q('attn.k', [d, d]),
      wv: q('attn.v', [d, d]),
      wo: q('attn.o', [d, d]),
      ln2: [q('ffn_norm.gamma', [d], constantInit(1)), q('ffn_norm.beta', [d], zeros())],
      w1: q('ffn.w1', [d, d]),
      b1: q('ffn.b1', [d], zeros()),
      w2: q('ffn.w2', [d, d]),
      b2: q('ffn.b2', [d], zeros()),
    };
  });
  const finalNorm = [
    p('final_norm.gamma', [d], constantInit(1)),
    p('final_norm.beta', [d], zeros()),
  ];

  const seq = g.input('seq', ['batch', L], 'int64');
  const real = greater(seq, g.scalar(0, 'int64'));
  const mask = unsqueeze(cast(real, g.dtype), [-1]);
  const drop = (x: Tensor) => (options.train ? dropout(x, c.dropout) : x);
  const tower = (x: Tensor): Tensor => {
    let h = x;
    for (const b of blocks) {
      const q = layerNorm(h, b.ln1[0], b.ln1[1], 1e-8);
      const att = multiHeadAttention(matmul(q, b.wq), matmul(h, b.wk), matmul(h, b.wv), c.heads, {
        causal: true,
        keyMask: real,
      });
      h = add(q, drop(matmul(att, b.wo)));
      const f = layerNorm(h, b.ln2[0], b.ln2[1], 1e-8);
      h = mul(add(f, drop(linear(relu(linear(f, b.w1, b.b1)), b.w2, b.b2))), mask);
    }
    return layerNorm(h, finalNorm[0], finalNorm[1], 1e-8);
  };

  const semantic = reduceSum(gather(semEmb, gather(semTokens, seq)), [2]); // [B, L, d]
  const h0 = mul(drop(add(add(mul(gather(itemEmb, seq), Math.sqrt(d)), posEmb), semantic)), mask);
  const plain = tower(h0);

  // Latent reasoning: feed the last hidden states back behind a thinking-position embedding.
  let reasoned = plain;
  for (let r = 0; r < options.reasoning; r++) {
    reasoned = tower(mul(add(reasoned, squeeze(slice(thinkEmb, [r], [r + 1], [0]), [0])), mask));
  }

  const idLogits = idHeads.map((hd) => linear(plain, hd.w, hd.b)); // each [B, L, K]
  // Cross-scale decoding: code distributions -> soft codebook lookup -> RQ-VAE decoder -> text space.
  const decode = (probs: Tensor[]): Tensor => {
    let z: Tensor | undefined;
    probs.forEach((pr, l) => {
      const q = matmul(pr, books[l]);
      z = z ? add(z, q) : q;
    });
    return rqDecoder(z as Tensor, (n) => decoder.get(n) as Tensor);
  };
  const mixWeights = softmax(
    options.reasoning > 0 ? mixLogits : add(mixLogits, g.constant([0, -1e9, 0], [3])),
    -1,
  );
  const mixStates = (decodedText: Tensor): Tensor => {
    const decodedState = matmul(decodedText, fromText);
    const w = (i: number) => slice(mixWeights, [i], [i + 1], [0]);
    return add(add(mul(plain, w(0)), mul(reasoned, w(1))), mul(decodedState, w(2)));
  };
  const inferDecoded = decode(idLogits.map((lg) => softmax(div(lg, c.tauEnd), -1)));
  const inferFinal = mixStates(inferDecoded);
  const userEmbedding = squeeze(slice(inferFinal, [L - 1], [L], [1]), [1]);
  const candidates = g.input('candidates', ['batch', 'candidates'], 'int64');
  const scores = squeeze(matmul(gather(itemEmb, candidates), unsqueeze(userEmbedding, [-1])), [-1]);
  const out: CoderRecGraph = { graph: g, userEmbedding, scores, mix: mixWeights };
  if (!options.train) return out;

  const pos = g.input('pos', ['batch', L], 'int64');
  const gumbel = g.input('gumbel', ['batch', L, Lv, K]);
  const tau = g.input('tau', []);
  const weights = cast(greater(pos, g.scalar(0, 'int64')), g.dtype); // [B, L]
  const total = reduceSum(weights);
  const maskedMean = (x: Tensor) => div(reduceSum(mul(x, weights)), total);
  const trainDecoded = decode(
    idLogits.map((lg, l) =>
      softmax(div(add(lg, squeeze(slice(gumbel, [l], [l + 1], [2]), [2])), tau), -1),
    ),
  );
  const final = mixStates(trainDecoded);
  // Next item over the whole catalogue (column 0, padding, excluded).
  const notPad = g.constant([0, ...new Array(N).fill(1)], [N + 1], 'bool');
  const logits = where(notPad, matmul(final, transposeLast(itemEmb)), -1e9);
  const rec = neg(
    maskedMean(reduceSum(mul(logSoftmax(logits, -1), oneHot(pos, N + 1, 'float32')), [-1])),
  );
  const nextCodes = gather(rawCodes, pos); // [B, L, Lv]
  let id: Tensor | undefined;
  idLogits.forEach((lg, l) => {
    const target = squeeze(slice(nextCodes, [l], [l + 1], [2]), [2]);
    const ce = neg(
      maskedMean(reduceSum(mul(logSoftmax(lg, -1), oneHot(target, K, 'float32')), [-1])),
    );
    id = id ? add(id, ce) : ce;
  });
  const vectors = g.constant(
    (() => {
      const v = new Float32Array((N + 1) * items.dim);
      v.set(items.vectors, items.dim);
      return v;
    })(),
    [N + 1, items.dim],
  );
  const cos = reduceSum(mul(l2Normalize(trainDecoded), l2Normalize(gather(vectors, pos))), [-1]);
  const align = maskedMean(sub(1, cos));
  const loss = add(add(rec, mul(id as Tensor, c.idWeight)), mul(align, c.alignWeight));
  return { ...out, loss, parts: { rec, id: id as Tensor, align } };
}
