import { adam, Rng, Trainer } from '@thoughtspace/engine';
import type { Dataset, LeaveOneOut } from '@thoughtspace/data';
import { createProgress } from '@thoughtspace/runtime';
import { attributeView, buildVocabulary, encodeAttributes, itemAttributes } from './attributes';
import type { ReaEmbConfig } from './config';
import { coOccurrence, crrlGroups, crrlReward, groupAdvantages, rankOfPositive } from './crrl';
import { buildCrrl, buildLrcl, thoughtLogDensity, type Probes } from './graph';

export interface ReaEmbStage {
  /** Item embeddings [numItems, hidden] after this stage. */
  embeddings: Float32Array;
  parameters: Map<string, Float32Array>;
  seconds: number;
  /** Mean loss per epoch. */
  losses: number[];
}

export interface ReaEmbResult {
  config: ReaEmbConfig;
  vocabulary: string[];
  /** Attribute tokens per item [numItems, maxTokens] (canonical attribute order). */
  tokens: BigInt64Array;
  lrcl: ReaEmbStage & { temperature: number };
  crrl?: ReaEmbStage & { meanReward: number[]; anchors: number };
}

export interface TrainReaEmbOptions {
  dataset: Dataset;
  /** The split: CRRL co-occurrence is counted on `loo.train` only. */
  loo: LeaveOneOut;
  config: ReaEmbConfig;
  log?: (line: string) => void;
  silent?: boolean;
}

function copyParameters(trainer: Trainer): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of trainer.parameters)
    if (k.startsWith('reaemb.') && !k.startsWith('reaemb.lrcl.'))
      out.set(k, (v as Float32Array).slice());
  return out;
}

/** Clean item embeddings for every item, through a trainer's probe head. */
export async function probeEmbeddings(
  trainer: Trainer,
  probes: Probes,
  tokens: BigInt64Array,
  numItems: number,
  config: ReaEmbConfig,
  batch = 256,
): Promise<Float32Array> {
  const T = config.maxTokens;
  const out = new Float32Array(numItems * config.hidden);
  for (let start = 0; start < numItems; start += batch) {
    const n = Math.min(batch, numItems - start);
    const r = await trainer.evaluate(
      {
        tokens: { dtype: 'int64', dims: [n, T], data: tokens.subarray(start * T, (start + n) * T) },
      },
      { embedding: probes.embedding },
    );
    out.set(r.embedding.data as Float32Array, start * config.hidden);
  }
  return out;
}

/** Tokenise every item's attributes with a vocabulary built from the item texts. */
export function tokenizeItems(
  dataset: Dataset,
  config: ReaEmbConfig,
): { attributes: string[][][]; vocabulary: Map<string, number>; tokens: BigInt64Array } {
  const attributes = dataset.items.map(itemAttributes);
  const vocabulary = buildVocabulary(attributes, config.vocabulary);
  const T = config.maxTokens;
  const tokens = new BigInt64Array(attributes.length * T);
  attributes.forEach((a, i) => encodeAttributes(a, vocabulary, T, tokens, i * T));
  return { attributes, vocabulary, tokens };
}

/**
 * Train ReaEmb: LRCL (contrastive over attribute views) for `lrclEpochs`,
 * then CRRL (clipped policy updates of the thought with the collaborative
 * reward) for `crrlEpochs`, starting from the LRCL parameters.
 */
export async function trainReaEmb(o: TrainReaEmbOptions): Promise<ReaEmbResult> {
  const c = o.config;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const numItems = o.dataset.itemIds.length;
  const { attributes, vocabulary, tokens } = tokenizeItems(o.dataset, c);
  const vocabSize = vocabulary.size + 2;
  const T = c.maxTokens;
  const B = c.batch;
  const rng = new Rng(c.seed);

  // LRCL.
  const lrcl = buildLrcl(c, vocabSize);
  const lrclTrainer = await Trainer.create({
    graph: lrcl.graph,
    loss: lrcl.loss,
    optimizer: adam(),
    seed: c.seed,
    threads: c.threads,
    clipNorm: 5,
  });
  const stepsPerEpoch = Math.floor(numItems / B);
  const progress = createProgress({
    label: 'reaemb lrcl',
    total: stepsPerEpoch * c.lrclEpochs,
    unit: 'steps',
    silent: o.silent,
    intervalMs: 10000,
  });
  const lrclLosses: number[] = [];
  let t0 = performance.now();
  for (let epoch = 1; epoch <= c.lrclEpochs; epoch++) {
    const order = shuffled(numItems, rng);
    let total = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const va = new BigInt64Array(B * T);
      const vb = new BigInt64Array(B * T);
      for (let i = 0; i < B; i++) {
        const attrs = attributes[order[s * B + i]];
        encodeAttributes(attributeView(attrs, c.dropAttribute, rng), vocabulary, T, va, i * T);
        encodeAttributes(attributeView(attrs, c.dropAttribute, rng), vocabulary, T, vb, i * T);
      }
      const r = await lrclTrainer.trainStep(
        {
          view_a: { dtype: 'int64', dims: [B, T], data: va },
          view_b: { dtype: 'int64', dims: [B, T], data: vb },
        },
        { lr: c.lrclLr },
      );
      total += r.loss;
      progress.tick();
    }
    lrclLosses.push(total / Math.max(1, stepsPerEpoch));
    if (!o.silent) log(`reaemb lrcl epoch ${epoch}: loss ${lrclLosses[epoch - 1].toFixed(4)}`);
  }
  progress.done();
  const lrclSeconds = (performance.now() - t0) / 1000;
  const lrclEmb = await probeEmbeddings(lrclTrainer, lrcl.probes, tokens, numItems, c);
  const scale = lrclTrainer.parameters.get('reaemb.lrcl.log_scale') as Float32Array;
  const lrclParams = copyParameters(lrclTrainer);
  await lrclTrainer.dispose();
  const result: ReaEmbResult = {
    config: c,
    vocabulary: ['<pad>', '<unk>', ...vocabulary.keys()],
    tokens,
    lrcl: {
      embeddings: lrclEmb,
      parameters: lrclParams,
      seconds: lrclSeconds,
      losses: lrclLosses,
      temperature: Math.exp(-scale[0]),
    },
  };
  if (c.crrlEpochs === 0) return result;

  // CRRL.
  const groups = crrlGroups({
    counts: coOccurrence(o.loo.train, c.window),
    numItems,
    seed: c.seed,
  });
  const crrl = buildCrrl(c, vocabSize);
  const trainer = await Trainer.create({
    graph: crrl.graph,
    loss: crrl.loss,
    optimizer: adam(),
    seed: c.seed,
    threads: c.threads,
    clipNorm: 5,
  });
  trainer.restore({ step: 0, parameters: lrclParams, optimizerState: new Map() });
  const anchorsPerEpoch =
    c.crrlAnchors > 0 ? Math.min(c.crrlAnchors, groups.length) : groups.length;
  const batches = Math.floor(anchorsPerEpoch / B);
  const crrlProgress = createProgress({
    label: 'reaemb crrl',
    total: batches * c.crrlEpochs,
    unit: 'rollouts',
    silent: o.silent,
    intervalMs: 10000,
  });
  const losses: number[] = [];
  const meanReward: number[] = [];
  t0 = performance.now();
  const G = c.group;
  const d = c.hidden;
  for (let epoch = 1; epoch <= c.crrlEpochs; epoch++) {
    const table = await probeEmbeddings(trainer, crrl.probes, tokens, numItems, c);
    normalizeRows(table, d);
    const order = shuffled(groups.length, rng).slice(0, batches * B);
    let lossSum = 0;
    let rewardSum = 0;
    for (let s = 0; s < batches; s++) {
      const batch = order.slice(s * B, (s + 1) * B).map((i) => groups[i]);
      const anchorTokens = new BigInt64Array(B * T);
      batch.forEach((gr, i) =>
        anchorTokens.set(tokens.subarray(gr.anchor * T, (gr.anchor + 1) * T), i * T),
      );
      const mu = (
        await trainer.evaluate(
          { tokens: { dtype: 'int64', dims: [B, T], data: anchorTokens } },
          { thought: crrl.probes.thought },
        )
      ).thought.data as Float32Array;
      const thoughts = new Float32Array(B * G * d);
      const oldLogp = new Float32Array(B * G);
      const repeated = new BigInt64Array(B * G * T);
      for (let i = 0; i < B; i++) {
        const m = mu.subarray(i * d, (i + 1) * d);
        for (let k = 0; k < G; k++) {
          const at = (i * G + k) * d;
          // Sample 0 is the clean thought; the rest are noisy draws of the policy.
          for (let j = 0; j < d; j++)
            thoughts[at + j] = m[j] + (k === 0 ? 0 : c.noise * rng.normal());
          oldLogp[i * G + k] = thoughtLogDensity(thoughts.subarray(at, at + d), m, c.noise);
          repeated.set(anchorTokens.subarray(i * T, (i + 1) * T), (i * G + k) * T);
        }
      }
      const emb = (
        await trainer.evaluate(
          {
            tokens: { dtype: 'int64', dims: [B * G, T], data: repeated },
            thought: { dtype: 'float32', dims: [B * G, 1, d], data: thoughts },
          },
          { e: crrl.probes.withThought },
        )
      ).e.data as Float32Array;
      normalizeRows(emb, d);
      const advantages = new Float32Array(B * G);
      batch.forEach((gr, i) => {
        const cands = [gr.positive, ...gr.negatives];
        const rewards: number[] = [];
        for (let k = 0; k < G; k++) {
          const e = emb.subarray((i * G + k) * d, (i * G + k + 1) * d);
          const scores = cands.map((j) => dot(e, table, j * d));
          rewards.push(crrlReward(rankOfPositive(scores)));
        }
        rewardSum += rewards[0];
        groupAdvantages(rewards).forEach((a, k) => (advantages[i * G + k] = a));
      });
      const feeds = {
        anchor_tokens: { dtype: 'int64' as const, dims: [B, T], data: anchorTokens },
        thoughts: { dtype: 'float32' as const, dims: [B, G, d], data: thoughts },
        old_logp: { dtype: 'float32' as const, dims: [B, G], data: oldLogp },
        advantages: { dtype: 'float32' as const, dims: [B, G], data: advantages },
      };
      for (let u = 0; u < c.updatesPerRollout; u++) {
        const r = await trainer.trainStep(feeds, { lr: c.crrlLr });
        lossSum += r.loss / c.updatesPerRollout;
      }
      crrlProgress.tick();
    }
    losses.push(lossSum / Math.max(1, batches));
    meanReward.push(rewardSum / Math.max(1, batches * B));
    if (!o.silent)
      log(
        `reaemb crrl epoch ${epoch}: loss ${losses[epoch - 1].toFixed(4)}, clean-thought reward ${meanReward[epoch - 1].toFixed(4)}`,
      );
  }
  crrlProgress.done();
  const seconds = (performance.now() - t0) / 1000;
  result.crrl = {
    embeddings: await probeEmbeddings(trainer, crrl.probes, tokens, numItems, c),
    parameters: copyParameters(trainer),
    seconds,
    losses,
    meanReward,
    anchors: groups.length,
  };
  await trainer.dispose();
  return result;
}

function shuffled(n: number, rng: Rng): number[] {
  const a = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function normalizeRows(x: Float32Array, d: number): void {
  for (let i = 0; i < x.length; i += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i + j] * x[i + j];
    const n = Math.sqrt(s) || 1;
    for (let j = 0; j < d; j++) x[i + j] /= n;
  }
}

function dot(a: Float32Array, table: Float32Array, offset: number): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * table[offset + j];
  return s;
}
