import {
  adam,
  add,
  gather,
  Graph,
  linear,
  mul,
  reduceMean,
  reduceSum,
  relu,
  Rng,
  slice,
  squeeze,
  stopGradient,
  sub,
  Trainer,
  xavier,
  zeros,
  type Tensor,
} from '@thoughtspace/engine';
import { createProgress, InvalidArgumentError } from '@thoughtspace/runtime';
import type { ItemVectors } from './item-vectors';

/** RQ-VAE hyperparameters. `levels` x `codes` = 3 x 256 is the paper's (TIGER / CoderRec) setting. */
export interface RqVaeConfig {
  levels: number;
  codes: number;
  /** MLP hidden width of encoder and decoder. */
  hidden: number;
  /** Latent size (the codebook vectors). */
  latent: number;
  /** Commitment weight beta. */
  beta: number;
  epochs: number;
  lr: number;
  batch: number;
  seed: number;
  threads: number;
}

export const DEFAULT_RQVAE: RqVaeConfig = {
  levels: 3,
  codes: 256,
  hidden: 128,
  latent: 32,
  beta: 0.25,
  epochs: 30,
  lr: 0.002,
  batch: 256,
  seed: 1,
  threads: 2,
};

export function validateRqVaeConfig(partial: Partial<RqVaeConfig> = {}): RqVaeConfig {
  const c: RqVaeConfig = {
    ...DEFAULT_RQVAE,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  for (const k of ['levels', 'codes', 'hidden', 'latent', 'epochs', 'batch', 'threads'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new InvalidArgumentError(`rqvae: ${k} must be a positive integer, got ${String(c[k])}`);
  }
  if (!(c.beta >= 0)) throw new InvalidArgumentError(`rqvae: beta must be >= 0, got ${c.beta}`);
  if (!(c.lr > 0)) throw new InvalidArgumentError(`rqvae: lr must be > 0, got ${c.lr}`);
  return c;
}

export interface RqVae {
  config: RqVaeConfig;
  /** Item semantic IDs [numItems, levels + 1]: `levels` residual codes, then the collision level. */
  codes: Int32Array;
  /** Size of the collision level (largest group of items sharing all residual codes). */
  collisionCodes: number;
  /** Fraction of each level's codebook used by some item. */
  usage: number[];
  /** Items whose residual codes another item also has (resolved by the collision level). */
  collisions: number;
  /** Mean squared reconstruction error per item over the catalogue, before and after training. */
  reconstruction: { before: number; after: number };
  /** Codes re-initialised because no item used them, over the whole run. */
  deadCodeResets: number;
  losses: number[];
  seconds: number;
  /** Encoder, codebooks (`rqvae.codebook{l}`) and decoder. */
  parameters: Map<string, Float32Array>;
}

interface RqGraph {
  graph: Graph;
  loss: Tensor;
  latent: Tensor;
  reconstruction: Tensor;
  recon: Tensor;
}

/** Decoder MLP from latent to text space; shared by the RQ-VAE and CoderRec's cross-scale decoding. */
export function rqDecoder(z: Tensor, p: (name: string) => Tensor): Tensor {
  return linear(
    relu(linear(z, p('rqvae.dec.w1'), p('rqvae.dec.b1'))),
    p('rqvae.dec.w2'),
    p('rqvae.dec.b2'),
  );
}

function buildRqVae(c: RqVaeConfig, dim: number): RqGraph {
  const g = new Graph();
  const P = new Map<string, Tensor>();
  const param = (name: string, shape: number[], init = xavier()) => {
    const t = g.parameter(name, shape, { init });
    P.set(name, t);
    return t;
  };
  param('rqvae.enc.w1', [dim, c.hidden]);
  param('rqvae.enc.b1', [c.hidden], zeros());
  param('rqvae.enc.w2', [c.hidden, c.latent]);
  param('rqvae.enc.b2', [c.latent], zeros());
  param('rqvae.dec.w1', [c.latent, c.hidden]);
  param('rqvae.dec.b1', [c.hidden], zeros());
  param('rqvae.dec.w2', [c.hidden, dim]);
  param('rqvae.dec.b2', [dim], zeros());
  const books = Array.from({ length: c.levels }, (_, l) =>
    param(`rqvae.codebook${l}`, [c.codes, c.latent]),
  );
  const get = (n: string) => P.get(n) as Tensor;
  const x = g.input('x', ['batch', dim]);
  const codes = g.input('codes', ['batch', c.levels], 'int64');
  const z = linear(
    relu(linear(x, get('rqvae.enc.w1'), get('rqvae.enc.b1'))),
    get('rqvae.enc.w2'),
    get('rqvae.enc.b2'),
  );
  let residual = z;
  let quantised: Tensor | undefined;
  let vq: Tensor | undefined;
  const sq = (t: Tensor) => reduceMean(reduceSum(mul(t, t), [-1]));
  books.forEach((book, l) => {
    const q = gather(book, squeeze(slice(codes, [l], [l + 1], [1]), [1]));
    const term = add(
      sq(sub(stopGradient(residual), q)),
      mul(sq(sub(residual, stopGradient(q))), c.beta),
    );
    vq = vq ? add(vq, term) : term;
    quantised = quantised ? add(quantised, q) : q;
    residual = sub(residual, q);
  });
  // Straight-through: the decoder sees the quantised latent, gradients reach the encoder as if it saw z.
  const st = add(z, stopGradient(sub(quantised as Tensor, z)));
  const xhat = rqDecoder(st, get);
  const recon = sq(sub(xhat, x));
  return { graph: g, loss: add(recon, vq as Tensor), latent: z, reconstruction: xhat, recon };
}

/** Greedy residual quantisation of latents [n, e] with codebooks [K, e] per level; writes codes [n, levels] and returns residuals per level. */
export function assignCodes(
  latents: Float32Array,
  n: number,
  e: number,
  books: readonly Float32Array[],
  codes: Int32Array,
  residualsOut?: Float32Array[],
): void {
  const r = latents.slice();
  const L = books.length;
  for (let l = 0; l < L; l++) {
    residualsOut?.[l]?.set(r);
    const book = books[l];
    const K = book.length / e;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let k = 0; k < K; k++) {
        let d = 0;
        for (let j = 0; j < e; j++) {
          const t = r[i * e + j] - book[k * e + j];
          d += t * t;
        }
        if (d < bestD) [best, bestD] = [k, d];
      }
      codes[i * L + l] = best;
      for (let j = 0; j < e; j++) r[i * e + j] -= book[best * e + j];
    }
  }
}

/**
 * Train an RQ-VAE on item vectors: codes are the exact nearest residual
 * codes under the current parameters (assigned outside the graph each step),
 * codebooks start from item residuals, unused codes are re-initialised to
 * random item residuals after every epoch, and a final collision level makes
 * every item's ID unique.
 */
export async function trainRqVae(o: {
  vectors: ItemVectors;
  config: RqVaeConfig;
  silent?: boolean;
  log?: (line: string) => void;
}): Promise<RqVae> {
  const c = o.config;
  const { dim, data } = o.vectors;
  const n = data.length / dim;
  const e = c.latent;
  const L = c.levels;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const model = buildRqVae(c, dim);
  const trainer = await Trainer.create({
    graph: model.graph,
    loss: model.loss,
    optimizer: adam(),
    seed: c.seed,
    threads: c.threads,
  });
  const rng = new Rng(c.seed);
  const t0 = performance.now();
  const latentsOf = async (): Promise<Float32Array> => {
    const out = new Float32Array(n * e);
    for (let s = 0; s < n; s += 1024) {
      const m = Math.min(1024, n - s);
      const r = await trainer.evaluate(
        { x: { dtype: 'float32', dims: [m, dim], data: data.subarray(s * dim, (s + m) * dim) } },
        { z: model.latent },
      );
      out.set(r.z.data as Float32Array, s * e);
    }
    return out;
  };
  const books = () =>
    Array.from(
      { length: L },
      (_, l) => trainer.parameters.get(`rqvae.codebook${l}`) as Float32Array,
    );
  const codes = new Int32Array(n * L);
  const reconstructionError = async (): Promise<number> => {
    assignCodes(await latentsOf(), n, e, books(), codes);
    let total = 0;
    for (let s = 0; s < n; s += 1024) {
      const m = Math.min(1024, n - s);
      const r = await trainer.evaluate(
        {
          x: { dtype: 'float32', dims: [m, dim], data: data.subarray(s * dim, (s + m) * dim) },
          codes: {
            dtype: 'int64',
            dims: [m, L],
            data: BigInt64Array.from(codes.subarray(s * L, (s + m) * L), BigInt),
          },
        },
        { recon: model.recon },
      );
      total += Number(r.recon.data[0]) * m;
    }
    return total / n;
  };
  // Data-dependent codebook init: level l's codes are residuals of random items after levels < l.
  const reset = async (onlyUnused: boolean): Promise<number> => {
    const residuals = Array.from({ length: L }, () => new Float32Array(n * e));
    assignCodes(await latentsOf(), n, e, books(), codes, residuals);
    let resets = 0;
    const updated = new Map<string, Float32Array>();
    for (let l = 0; l < L; l++) {
      const book = books()[l].slice();
      const used = new Uint8Array(c.codes);
      for (let i = 0; i < n; i++) used[codes[i * L + l]] = 1;
      for (let k = 0; k < c.codes; k++) {
        if (onlyUnused && used[k]) continue;
        const i = Math.floor(rng.uniform() * n);
        for (let j = 0; j < e; j++)
          book[k * e + j] = residuals[l][i * e + j] + 0.01 * rng.normal() * (onlyUnused ? 1 : 0.1);
        resets++;
      }
      updated.set(`rqvae.codebook${l}`, book);
      // Later levels see residuals after this level's new codes.
      trainer.restore({
        step: trainer.step,
        parameters: new Map([[`rqvae.codebook${l}`, book]]),
        optimizerState: new Map(),
      });
      if (!onlyUnused) assignCodes(await latentsOf(), n, e, books(), codes, residuals);
    }
    return resets;
  };
  await reset(false);
  const before = await reconstructionError();
  const steps = Math.ceil(n / c.batch);
  const progress = createProgress({
    label: 'train rq-vae',
    total: steps * c.epochs,
    unit: 'steps',
    silent: o.silent,
    intervalMs: 10000,
  });
  const losses: number[] = [];
  let deadCodeResets = 0;
  const batchCodes = new Int32Array(c.batch * L);
  for (let epoch = 1; epoch <= c.epochs; epoch++) {
    const order = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let total = 0;
    for (let s = 0; s < steps; s++) {
      const idx = order.slice(s * c.batch, (s + 1) * c.batch);
      const x = new Float32Array(idx.length * dim);
      idx.forEach((it, i) => x.set(data.subarray(it * dim, (it + 1) * dim), i * dim));
      const xv = { dtype: 'float32' as const, dims: [idx.length, dim], data: x };
      const z = (await trainer.evaluate({ x: xv }, { z: model.latent })).z.data as Float32Array;
      assignCodes(z, idx.length, e, books(), batchCodes);
      const r = await trainer.trainStep(
        {
          x: xv,
          codes: {
            dtype: 'int64',
            dims: [idx.length, L],
            data: BigInt64Array.from(batchCodes.subarray(0, idx.length * L), BigInt),
          },
        },
        { lr: c.lr },
      );
      total += r.loss;
      progress.tick();
    }
    losses.push(total / steps);
    if (epoch < c.epochs) deadCodeResets += await reset(true);
  }
  progress.done();
  const after = await reconstructionError();
  const seconds = (performance.now() - t0) / 1000;
  // Final codes and the collision level.
  const full = new Int32Array(n * (L + 1));
  const groups = new Map<string, number>();
  let collisionCodes = 1;
  let collisions = 0;
  const tupleCount = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = codes.subarray(i * L, (i + 1) * L).join(',');
    tupleCount.set(key, (tupleCount.get(key) ?? 0) + 1);
  }
  for (let i = 0; i < n; i++) {
    const key = codes.subarray(i * L, (i + 1) * L).join(',');
    const k = groups.get(key) ?? 0;
    groups.set(key, k + 1);
    full.set(codes.subarray(i * L, (i + 1) * L), i * (L + 1));
    full[i * (L + 1) + L] = k;
    collisionCodes = Math.max(collisionCodes, k + 1);
    if ((tupleCount.get(key) as number) > 1) collisions++;
  }
  const usage = Array.from({ length: L }, (_, l) => {
    const used = new Set<number>();
    for (let i = 0; i < n; i++) used.add(codes[i * L + l]);
    return used.size / c.codes;
  });
  if (!o.silent)
    log(
      `rq-vae: reconstruction ${before.toFixed(4)} -> ${after.toFixed(4)}, usage ${usage.map((u) => u.toFixed(2)).join('/')}, ` +
        `${collisions} colliding items (collision level size ${collisionCodes}), ${seconds.toFixed(1)} s`,
    );
  const parameters = new Map<string, Float32Array>();
  for (const [k, v] of trainer.parameters) parameters.set(k, (v as Float32Array).slice());
  await trainer.dispose();
  return {
    config: c,
    codes: full,
    collisionCodes,
    usage,
    collisions,
    reconstruction: { before, after },
    deadCodeResets,
    losses,
    seconds,
    parameters,
  };
}
