// Engine benchmark: `npm run bench -- engine [--quick]`.
// Prints figures and writes bench/results/engine.json. Measures, never asserts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  adam,
  add,
  attention,
  bceWithLogits,
  dropout,
  Feeds,
  gather,
  Graph,
  layerNorm,
  linear,
  ModelRunner,
  mul,
  neg,
  normal,
  reduceSum,
  relu,
  Rng,
  Tensor,
  Trainer,
  constantInit,
  zeros,
  emitModel,
  unsqueeze,
  cast,
  greater,
  fillDropoutMask,
} from '@thoughtspace/engine';

const quick = process.argv.includes('--quick');
const THREADS = 2;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

interface Timing {
  /** Median ms per call: robust to other jobs on the shared cores. */
  median: number;
  mean: number;
  /** 10th percentile: close to the uncontended figure. */
  p10: number;
}

/** Per-call times over at least `minMs` and `minReps` calls, after one warm-up call. */
async function timeIt(
  fn: () => Promise<unknown> | unknown,
  minMs: number,
  minReps = 5,
): Promise<Timing> {
  await fn();
  const times: number[] = [];
  const start = now();
  while (times.length < minReps || now() - start < minMs) {
    const t = now();
    await fn();
    times.push(now() - t);
  }
  times.sort((x, y) => x - y);
  const mean = times.reduce((x, y) => x + y, 0) / times.length;
  return {
    median: times[Math.floor(times.length / 2)],
    mean,
    p10: times[Math.floor(times.length / 10)],
  };
}

function randomF32(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform() - 0.5;
  return a;
}

/** Plain-JS reference: C = A·B, i-k-j loop order (the cache-friendly one). */
function jsMatmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      const bo = p * n;
      const co = i * n;
      for (let j = 0; j < n; j++) c[co + j] += av * b[bo + j];
    }
  }
}

async function benchMatmul(): Promise<Record<string, number>> {
  const [m, k, n] = [6400, 64, 64];
  const g = new Graph();
  const a = g.input('a', [m, k]);
  const b = g.input('b', [k, n]);
  const model = emitModel({ outputs: { c: g.apply('MatMul', [a, b]) }, mode: 'infer' });
  const runner = await ModelRunner.create({ model: model.bytes, threads: THREADS });
  const feeds: Feeds = {
    a: { dtype: 'float32', dims: [m, k], data: randomF32(m * k, 1) },
    b: { dtype: 'float32', dims: [k, n], data: randomF32(k * n, 2) },
  };
  const out = { c: { dtype: 'float32' as const, dims: [m, n], data: new Float32Array(m * n) } };
  const flops = 2 * m * k * n;
  const engineMs = await timeIt(() => runner.run(feeds, { into: out }), 1000);
  await runner.dispose();
  const c = new Float32Array(m * n);
  const jsMs = await timeIt(
    () => jsMatmul(feeds.a.data as Float32Array, feeds.b.data as Float32Array, c, m, k, n),
    1000,
  );
  const engineGflops = flops / engineMs.median / 1e6;
  const jsGflops = flops / jsMs.median / 1e6;
  return {
    m,
    k,
    n,
    engineMs: engineMs.median,
    jsMs: jsMs.median,
    engineGflops,
    jsGflops,
    ratio: engineGflops / jsGflops,
    engineGflopsMean: flops / engineMs.mean / 1e6,
    engineGflopsP10: flops / engineMs.p10 / 1e6,
    jsGflopsMean: flops / jsMs.mean / 1e6,
  };
}

interface SasrecConfig {
  batch: number;
  length: number;
  dim: number;
  blocks: number;
  items: number;
  dropout: number;
}

/** SASRec-shaped model: item + position embeddings, causal self-attention blocks, BCE on (pos, neg) items. */
function buildSasrec(cfg: SasrecConfig): { graph: Graph; loss: Tensor; logits: Tensor } {
  const { batch, length, dim, blocks, items } = cfg;
  const g = new Graph();
  const seq = g.input('seq', [batch, length], 'int64');
  const pos = g.input('pos', [batch, length], 'int64');
  const negs = g.input('neg', [batch, length], 'int64');
  const itemEmb = g.parameter('item_emb', [items + 1, dim], { init: normal(0.02) });
  const posEmb = g.parameter('pos_emb', [length, dim], { init: normal(0.02) });
  const padMask = greater(seq, g.scalar(0, 'int64'));
  const keep = cast(unsqueeze(padMask, [-1]), 'float32');
  let h = mul(dropout(add(mul(gather(itemEmb, seq), Math.sqrt(dim)), posEmb), cfg.dropout), keep);
  for (let b = 0; b < blocks; b++) {
    const p = (name: string, shape: number[], init = normal(0.02)) =>
      g.parameter(`block${b}.${name}`, shape, { init });
    const x = layerNorm(h, p('ln1.g', [dim], constantInit(1)), p('ln1.b', [dim], zeros()));
    const q = linear(x, p('wq', [dim, dim]), p('bq', [dim], zeros()));
    const k = linear(h, p('wk', [dim, dim]), p('bk', [dim], zeros()));
    const v = linear(h, p('wv', [dim, dim]), p('bv', [dim], zeros()));
    h = add(x, dropout(attention(q, k, v, { causal: true }), cfg.dropout));
    const y = layerNorm(h, p('ln2.g', [dim], constantInit(1)), p('ln2.b', [dim], zeros()));
    const f = linear(
      dropout(relu(linear(y, p('w1', [dim, dim]), p('b1', [dim], zeros()))), cfg.dropout),
      p('w2', [dim, dim]),
      p('b2', [dim], zeros()),
    );
    h = mul(add(y, dropout(f, cfg.dropout)), keep);
  }
  h = layerNorm(
    h,
    g.parameter('ln.g', [dim], { init: constantInit(1) }),
    g.parameter('ln.b', [dim], { init: zeros() }),
  );
  const posLogits = reduceSum(mul(h, gather(itemEmb, pos)), [-1]);
  const negLogits = reduceSum(mul(h, gather(itemEmb, negs)), [-1]);
  const weights = cast(greater(pos, g.scalar(0, 'int64')), 'float32');
  // BCE(pos, 1) + BCE(neg, 0) = softplus(-pos) + softplus(neg), masked by padding.
  const loss = add(
    bceWithLogits(neg(posLogits), g.constant([0], [], 'float32'), weights),
    bceWithLogits(negLogits, g.constant([0], [], 'float32'), weights),
  );
  return { graph: g, loss, logits: posLogits };
}

function sasrecFeeds(cfg: SasrecConfig, seed: number): Feeds {
  const rng = new Rng(seed);
  const n = cfg.batch * cfg.length;
  const mk = (pad: boolean) => {
    const a = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const padded = pad && i % cfg.length < (i / cfg.length) % 10;
      a[i] = padded ? 0n : BigInt(1 + Math.floor(rng.uniform() * cfg.items));
    }
    return { dtype: 'int64' as const, dims: [cfg.batch, cfg.length], data: a };
  };
  return { seq: mk(true), pos: mk(true), neg: mk(false) };
}

async function benchSasrec(
  cfg: SasrecConfig,
  preallocate: boolean,
): Promise<Record<string, number>> {
  const m = buildSasrec(cfg);
  const t0 = now();
  const trainer = await Trainer.create({
    graph: m.graph,
    loss: m.loss,
    optimizer: adam(),
    seed: 1,
    threads: THREADS,
    preallocate,
  });
  const createMs = now() - t0;
  const feeds = [0, 1, 2, 3].map((s) => sasrecFeeds(cfg, s));
  let i = 0;
  let loss = 0;
  const stepMs = await timeIt(
    async () => {
      loss = (await trainer.trainStep(feeds[i++ % feeds.length], { lr: 1e-3 })).loss;
    },
    quick ? 2000 : 6000,
    5,
  );
  const fwdFeeds = { seq: feeds[0].seq, pos: feeds[0].pos };
  const forwardMs = await timeIt(
    () => trainer.evaluate(fwdFeeds, { logits: m.logits }),
    quick ? 1000 : 3000,
    5,
  );
  await trainer.dispose();
  return {
    stepMs: stepMs.median,
    stepsPerSec: 1000 / stepMs.median,
    stepMsMean: stepMs.mean,
    stepMsP10: stepMs.p10,
    forwardMs: forwardMs.median,
    createMs,
    lastLoss: loss,
  };
}

/** Cost of moving a parameter and two Adam moments (items x dim float32) in and out of one run. */
async function benchTransfer(items: number, dim: number): Promise<Record<string, number>> {
  const g = new Graph();
  const names = ['p', 'm', 'v'];
  const ins = names.map((n) => g.input(n, [items, dim]));
  const outputs: Record<string, Tensor> = {};
  ins.forEach((t, i) => (outputs[`${names[i]}.next`] = add(t, 1)));
  const runner = await ModelRunner.create({
    model: emitModel({ outputs, mode: 'train' }).bytes,
    threads: THREADS,
  });
  const feeds: Record<string, { dtype: 'float32'; dims: number[]; data: Float32Array }> = {};
  const into: typeof feeds = {};
  for (const n of names) {
    feeds[n] = { dtype: 'float32', dims: [items, dim], data: randomF32(items * dim, 3) };
    into[`${n}.next`] = {
      dtype: 'float32',
      dims: [items, dim],
      data: new Float32Array(items * dim),
    };
  }
  const fetchMs = await timeIt(() => runner.run(feeds), 1500);
  const preallocatedMs = await timeIt(() => runner.run(feeds, { into }), 1500);
  await runner.dispose();
  return { fetchMs: fetchMs.median, preallocatedMs: preallocatedMs.median };
}

async function benchOverhead(): Promise<Record<string, number>> {
  const g = new Graph();
  const x = g.input('x', [4]);
  const p = g.parameter('p', [4], { init: constantInit(0.5) });
  const trainer = await Trainer.create({
    graph: g,
    loss: reduceSum(mul(mul(p, p), x)),
    optimizer: adam(),
    threads: 1,
  });
  const feeds: Feeds = {
    x: { dtype: 'float32', dims: [4], data: Float32Array.from([1, 2, 3, 4]) },
  };
  const ms = await timeIt(() => trainer.trainStep(feeds, { lr: 1e-3 }), 1500, 100);
  await trainer.dispose();
  return { stepMicros: ms.median * 1000, stepMicrosMean: ms.mean * 1000 };
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    threads: THREADS,
    quick,
    node: process.version,
    // Other work on the machine skews every figure: record the load at start.
    loadAverage: loadavg(),
  };
  const log = (label: string, value: unknown) =>
    console.log(
      `${label.padEnd(44)} ${typeof value === 'number' ? value.toFixed(2) : String(value)}`,
    );

  const mm = await benchMatmul();
  results.matmul = mm;
  log('matmul 6400x64 · 64x64 engine GFLOP/s', mm.engineGflops);
  log('matmul 6400x64 · 64x64 pure JS GFLOP/s', mm.jsGflops);
  log('matmul engine / JS ratio (medians)', mm.ratio);
  log(
    'matmul engine GFLOP/s (mean, p10)',
    `${mm.engineGflopsMean.toFixed(1)}, ${mm.engineGflopsP10.toFixed(1)}`,
  );

  const overhead = await benchOverhead();
  results.tinyModel = overhead;
  log('tiny model train step (µs)', overhead.stepMicros);

  const transfer = await benchTransfer(24000, 64);
  results.transfer24000x64x3 = transfer;
  log('3 x 24000x64 in+out, fetched outputs (ms)', transfer.fetchMs);
  log('3 x 24000x64 in+out, pre-allocated (ms)', transfer.preallocatedMs);

  const cfg: SasrecConfig = {
    batch: 128,
    length: 50,
    dim: 64,
    blocks: 2,
    items: 24000,
    dropout: 0.2,
  };
  results.transformerConfig = cfg;
  const pre = await benchSasrec(cfg, true);
  results.transformerStep = pre;
  log('transformer train step, pre-allocated, median (ms)', pre.stepMs);
  log('transformer train step, pre-allocated, mean (ms)', pre.stepMsMean);
  log('transformer train steps/s', pre.stepsPerSec);
  log('transformer forward+loss (ms)', pre.forwardMs);
  // MatMul FLOPs of one step (forward: 5 projections + 2 attention products
  // per block; backward ~2x). A pure-JS step at the measured JS MatMul rate
  // cannot be faster than this count allows.
  const bl = cfg.batch * cfg.length;
  const fwdFlops =
    cfg.blocks *
    (5 * 2 * bl * cfg.dim * cfg.dim + 2 * 2 * cfg.batch * cfg.length * cfg.length * cfg.dim);
  const stepFlops = 3 * fwdFlops;
  results.transformerStepFlops = stepFlops;
  results.transformerEffectiveGflops = stepFlops / pre.stepMs / 1e6;
  results.pureJsStepLowerBoundMs = stepFlops / mm.jsGflops / 1e6;
  log('transformer step MatMul GFLOP', stepFlops / 1e9);
  log('transformer step effective GFLOP/s', stepFlops / pre.stepMs / 1e6);
  log('pure-JS step lower bound at JS MatMul rate (ms)', stepFlops / mm.jsGflops / 1e6);
  const noDropout = await benchSasrec({ ...cfg, dropout: 0 }, true);
  results.transformerStepNoDropout = noDropout;
  log('transformer train step, no dropout (ms)', noDropout.stepMs);
  const mask = new Float32Array(cfg.batch * cfg.length * cfg.dim);
  const maskMs = await timeIt(() => fillDropoutMask(mask, cfg.dropout, 1), 500);
  results.dropoutMaskMs = maskMs.median;
  log('one dropout mask 128x50x64 in JS (ms)', maskMs.median);
  const fetched = await benchSasrec(cfg, false);
  results.transformerStepFetched = fetched;
  log('transformer train step, fetched outputs (ms)', fetched.stepMs);

  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  results.peakRssMb = peakRssMb;
  log('peak RSS (MB)', peakRssMb);

  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${join(dir, 'engine.json')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
