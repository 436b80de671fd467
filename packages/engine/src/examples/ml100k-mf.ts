// Worked example: biased matrix factorisation on MovieLens-100k, trained,
// checkpointed, exported and evaluated with the engine.
//   npm run build && node packages/engine/dist/examples/ml100k-mf.js [path/to/ml-100k.inter]
// Prints test RMSE on a seeded 90/10 split next to the global-mean baseline.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProgress, InvalidArgumentError } from '@thoughtspace/runtime';
import {
  add,
  adam,
  exportInference,
  gather,
  Graph,
  loadCheckpoint,
  ModelRunner,
  mul,
  normal,
  reduceMean,
  reduceSum,
  Rng,
  saveCheckpoint,
  squeeze,
  sub,
  Trainer,
  verifyExport,
  warmupCosine,
  zeros,
} from '../index';

const DATA = process.argv[2] ?? '/work/shared/data/ml-100k/ml-100k.inter';
const CONFIG = { dim: 32, batch: 1024, epochs: 12, lr: 0.01, l2: 0.1, seed: 7, testFraction: 0.1 };

interface Ratings {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  numUsers: number;
  numItems: number;
}

/** RecBole .inter: header `user_id:token item_id:token rating:float timestamp:float`, tab-separated. */
function readInter(path: string): Ratings {
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = lines[0].split('\t');
  const [cu, ci, cr] = ['user_id:token', 'item_id:token', 'rating:float'].map((h) =>
    header.indexOf(h),
  );
  if (cu < 0 || ci < 0 || cr < 0)
    throw new InvalidArgumentError(`${path}: header ${lines[0]} lacks user/item/rating columns`);
  const userIds = new Map<string, number>();
  const itemIds = new Map<string, number>();
  const u: number[] = [];
  const i: number[] = [];
  const r: number[] = [];
  for (let k = 1; k < lines.length; k++) {
    if (lines[k] === '') continue;
    const f = lines[k].split('\t');
    if (!userIds.has(f[cu])) userIds.set(f[cu], userIds.size);
    if (!itemIds.has(f[ci])) itemIds.set(f[ci], itemIds.size);
    u.push(userIds.get(f[cu]) as number);
    i.push(itemIds.get(f[ci]) as number);
    r.push(Number(f[cr]));
  }
  return {
    users: Int32Array.from(u),
    items: Int32Array.from(i),
    ratings: Float32Array.from(r),
    numUsers: userIds.size,
    numItems: itemIds.size,
  };
}

function buildModel(numUsers: number, numItems: number, mean: number) {
  const g = new Graph();
  const user = g.input('user', ['batch'], 'int64');
  const item = g.input('item', ['batch'], 'int64');
  const rating = g.input('rating', ['batch']);
  const P = g.parameter('user_factors', [numUsers, CONFIG.dim], { init: normal(0.05) });
  const Q = g.parameter('item_factors', [numItems, CONFIG.dim], { init: normal(0.05) });
  const bu = g.parameter('user_bias', [numUsers, 1], { init: zeros() });
  const bi = g.parameter('item_bias', [numItems, 1], { init: zeros() });
  const pu = gather(P, user);
  const qi = gather(Q, item);
  const bias = add(squeeze(gather(bu, user), [1]), squeeze(gather(bi, item), [1]));
  const prediction = add(add(reduceSum(mul(pu, qi), [1]), bias), mean);
  const err = sub(prediction, rating);
  const mse = reduceMean(mul(err, err));
  // L2 on the rows this batch touched (classic SGD-MF regularisation).
  const l2 = mul(
    reduceMean(add(reduceSum(mul(pu, pu), [1]), reduceSum(mul(qi, qi), [1]))),
    CONFIG.l2,
  );
  return { g, prediction, mse, loss: add(mse, l2) };
}

function feeds(data: Ratings, idx: ArrayLike<number>) {
  const n = idx.length;
  const user = new BigInt64Array(n);
  const item = new BigInt64Array(n);
  const rating = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    user[k] = BigInt(data.users[idx[k]]);
    item[k] = BigInt(data.items[idx[k]]);
    rating[k] = data.ratings[idx[k]];
  }
  return {
    user: { dtype: 'int64' as const, dims: [n], data: user },
    item: { dtype: 'int64' as const, dims: [n], data: item },
    rating: { dtype: 'float32' as const, dims: [n], data: rating },
  };
}

function shuffled(n: number, rng: Rng): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function main(): Promise<void> {
  const data = readInter(DATA);
  const rng = new Rng(CONFIG.seed);
  const order = shuffled(data.ratings.length, rng);
  const nTest = Math.round(order.length * CONFIG.testFraction);
  const test = order.subarray(0, nTest);
  const train = order.slice(nTest);
  let mean = 0;
  for (const k of train) mean += data.ratings[k];
  mean /= train.length;

  const model = buildModel(data.numUsers, data.numItems, mean);
  const trainer = await Trainer.create({
    graph: model.g,
    loss: model.loss,
    optimizer: adam(),
    seed: CONFIG.seed,
    metrics: { mse: model.mse },
  });
  const stepsPerEpoch = Math.ceil(train.length / CONFIG.batch);
  const lr = warmupCosine({
    peak: CONFIG.lr,
    warmupSteps: stepsPerEpoch,
    totalSteps: stepsPerEpoch * CONFIG.epochs,
  });
  const progress = createProgress({
    label: 'ml-100k MF',
    total: stepsPerEpoch * CONFIG.epochs,
    unit: 'steps',
  });
  const started = Date.now();
  for (let epoch = 0; epoch < CONFIG.epochs; epoch++) {
    const perm = shuffled(train.length, rng);
    const batches = function* () {
      for (let s = 0; s < train.length; s += CONFIG.batch) {
        yield feeds(
          data,
          Array.from(perm.subarray(s, s + CONFIG.batch), (k) => train[k]),
        );
      }
    };
    const loss = await trainer.fit({
      batches: batches(),
      lr,
      progress: epoch === CONFIG.epochs - 1 ? progress : undefined,
    });
    if (epoch === CONFIG.epochs - 1 || epoch % 4 === 0)
      console.error(`epoch ${epoch + 1}: train loss ${loss.toFixed(4)}`);
    if (epoch !== CONFIG.epochs - 1) progress.tick(stepsPerEpoch);
  }
  const trainSeconds = (Date.now() - started) / 1000;

  // Checkpoint round trip, then export and serve the forward graph.
  const dir = mkdtempSync(join(tmpdir(), 'ml100k-'));
  try {
    const ckpt = join(dir, 'mf.safetensors');
    await saveCheckpoint(trainer, ckpt, CONFIG);
    await loadCheckpoint(trainer, ckpt);
    const onnx = exportInference({
      outputs: { prediction: model.prediction },
      parameters: trainer.parameters,
    });
    const testFeeds = feeds(data, test);
    const servingFeeds = { user: testFeeds.user, item: testFeeds.item };
    const reference = await trainer.evaluate(servingFeeds, { prediction: model.prediction });
    const exportDiff = await verifyExport({ model: onnx, feeds: servingFeeds, reference });
    const runner = await ModelRunner.create({ model: onnx });
    const { prediction } = await runner.run(servingFeeds);
    await runner.dispose();
    let se = 0;
    let base = 0;
    for (let k = 0; k < nTest; k++) {
      const r = testFeeds.rating.data[k];
      const p = Math.min(5, Math.max(1, Number(prediction.data[k])));
      se += (p - r) ** 2;
      base += (mean - r) ** 2;
    }
    const result = {
      dataset: DATA,
      interactions: data.ratings.length,
      users: data.numUsers,
      items: data.numItems,
      testInteractions: nTest,
      config: CONFIG,
      testRmse: Math.sqrt(se / nTest),
      globalMeanRmse: Math.sqrt(base / nTest),
      exportMaxAbsDiff: exportDiff,
      trainSeconds,
      steps: trainer.step,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trainer.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
