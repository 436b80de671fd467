import { adam, Rng, Trainer, type Feeds, type TensorValue } from '@thoughtspace/engine';
import { evaluateBatched, type ScorerRun } from '@thoughtspace/baselines';
import type { Dataset, EvaluationSet, LeaveOneOut } from '@thoughtspace/data';
import { createProgress } from '@thoughtspace/runtime';
import { epochBatches, batchesPerEpoch } from '../sasrec/batches';
import { dotScores, userEmbeddings } from '../sasrec/embeddings';
import type { CoderRecConfig } from './config';
import { buildCoderRec, type CoderRecGraph, type CoderRecItems } from './graph';
import type { ItemVectors } from './item-vectors';
import { trainRqVae, type RqVae } from './rqvae';

export interface CoderRecPhase {
  trainer: Trainer;
  model: CoderRecGraph;
  /** Graph structure: reasoning passes (0 in phase 1). */
  reasoning: number;
  seconds: number;
  losses: { rec: number; id: number; align: number; total: number }[];
  /** Mix weights (plain, reasoned, decoded) at the end of the phase. */
  mix: number[];
}

export interface TrainedCoderRec {
  config: CoderRecConfig;
  items: CoderRecItems;
  rqvae: RqVae;
  vectorsSource: string;
  phase1: CoderRecPhase;
  phase2?: CoderRecPhase;
}

export interface TrainCoderRecOptions {
  dataset: Dataset;
  loo: LeaveOneOut;
  config: CoderRecConfig;
  vectors: ItemVectors;
  log?: (line: string) => void;
  silent?: boolean;
}

/**
 * RQ-VAE on the item vectors, then phase 1 (recommendation + semantic-ID +
 * alignment, no reasoning) and phase 2 (the same with `reasoningSteps` latent
 * passes and the three-way mix, from phase 1's parameters). Both phases'
 * trainers are returned (dispose with `disposeCoderRec`) so each can be
 * evaluated: the ablation rows.
 */
export async function trainCoderRec(o: TrainCoderRecOptions): Promise<TrainedCoderRec> {
  const c = o.config;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rqvae = await trainRqVae({ vectors: o.vectors, config: c.rqvae, silent: o.silent, log });
  const items: CoderRecItems = {
    numItems: o.dataset.itemIds.length,
    codes: rqvae.codes,
    levels: c.rqvae.levels,
    codesPerLevel: c.rqvae.codes,
    collisionCodes: rqvae.collisionCodes,
    vectors: o.vectors.data,
    dim: o.vectors.dim,
    rqvae: rqvae.parameters,
    latent: c.rqvae.latent,
  };
  const totalSteps = batchesPerEpoch(o.loo.train, c.batch) * (c.phase1Epochs + c.phase2Epochs);
  const rng = new Rng(c.seed);
  let stepsDone = 0;
  const runPhase = async (
    name: string,
    reasoning: number,
    epochs: number,
    from?: Trainer,
  ): Promise<CoderRecPhase> => {
    const model = buildCoderRec(c, items, { reasoning, train: true });
    const trainer = await Trainer.create({
      graph: model.graph,
      loss: model.loss as NonNullable<CoderRecGraph['loss']>,
      optimizer: adam({ beta2: 0.98 }),
      seed: c.seed,
      threads: c.threads,
      clipNorm: 5,
      metrics: model.parts,
    });
    if (from) {
      const params = new Map<string, Float32Array>();
      for (const [k, v] of from.parameters)
        if (trainer.parameters.has(k) && trainer.shapeOf(k).join() === from.shapeOf(k).join())
          params.set(k, v as Float32Array);
      trainer.restore({ step: 0, parameters: params, optimizerState: new Map() });
    }
    const steps = batchesPerEpoch(o.loo.train, c.batch);
    const progress = createProgress({
      label: `coderrec ${name}`,
      total: steps * epochs,
      unit: 'steps',
      silent: o.silent,
      intervalMs: 10000,
    });
    const K = c.rqvae.codes;
    const Lv = c.rqvae.levels;
    const losses: CoderRecPhase['losses'] = [];
    const t0 = performance.now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const sum = { rec: 0, id: 0, align: 0, total: 0 };
      let n = 0;
      for (const batch of epochBatches({
        sequences: o.loo.train,
        numItems: items.numItems,
        maxLen: c.maxLen,
        batch: c.batch,
        loss: 'bce',
        negatives: 1,
        seed: c.seed,
        epoch: epoch + (reasoning > 0 ? 10_000 : 0),
      })) {
        const B = batch.seq.dims[0];
        const gumbel = new Float32Array(B * c.maxLen * Lv * K);
        for (let i = 0; i < gumbel.length; i++)
          gumbel[i] = -Math.log(-Math.log(rng.uniform() * (1 - 1e-7) + 1e-7 / 2));
        const tau =
          c.tauStart *
          Math.pow(c.tauEnd / c.tauStart, Math.min(1, stepsDone / Math.max(1, totalSteps - 1)));
        const feeds: Feeds = {
          seq: batch.seq,
          pos: batch.pos,
          gumbel: { dtype: 'float32', dims: [B, c.maxLen, Lv, K], data: gumbel },
          tau: { dtype: 'float32', dims: [], data: Float32Array.of(tau) },
        };
        const r = await trainer.trainStep(feeds, { lr: c.lr });
        const m = (t: TensorValue) => Number(t.data[0]);
        sum.rec += m(r.metrics.rec);
        sum.id += m(r.metrics.id);
        sum.align += m(r.metrics.align);
        sum.total += r.loss;
        n++;
        stepsDone++;
        progress.tick();
      }
      const mean = { rec: sum.rec / n, id: sum.id / n, align: sum.align / n, total: sum.total / n };
      losses.push(mean);
      if (!o.silent)
        log(
          `coderrec ${name} epoch ${epoch}: loss ${mean.total.toFixed(4)} (rec ${mean.rec.toFixed(4)}, id ${mean.id.toFixed(4)}, align ${mean.align.toFixed(4)})`,
        );
    }
    progress.done();
    const seconds = (performance.now() - t0) / 1000;
    const mix = (await trainer.evaluate({}, { mix: model.mix })).mix.data as Float32Array;
    return { trainer, model, reasoning, seconds, losses, mix: Array.from(mix) };
  };
  const phase1 = await runPhase('phase 1', 0, c.phase1Epochs);
  const phase2 =
    c.phase2Epochs > 0 && c.reasoningSteps > 0
      ? await runPhase('phase 2', c.reasoningSteps, c.phase2Epochs, phase1.trainer)
      : undefined;
  return { config: c, items, rqvae, vectorsSource: o.vectors.source, phase1, phase2 };
}

export async function disposeCoderRec(t: TrainedCoderRec): Promise<void> {
  await t.phase1.trainer.dispose();
  await t.phase2?.trainer.dispose();
}

/** User states (inference path) for histories from a phase's current parameters. */
export function coderrecUserEmbeddings(
  phase: CoderRecPhase,
  config: CoderRecConfig,
  histories: ArrayLike<number>[],
  batch = 256,
): Promise<Float32Array> {
  return userEmbeddings(
    async (feeds) => (await phase.trainer.evaluate(feeds, { u: phase.model.userEmbedding })).u,
    histories,
    config.maxLen,
    config.hidden,
    batch,
  );
}

/** Evaluate one phase on an evaluation set with the shared harness (same metrics and CIs as SASRec). */
export async function evaluateCoderRec(
  phase: CoderRecPhase,
  config: CoderRecConfig,
  set: EvaluationSet,
  options: { silent?: boolean; resamples?: number; method?: string } = {},
): Promise<ScorerRun> {
  const items = phase.trainer.parameters.get('item_embedding') as Float32Array;
  return evaluateBatched(
    set,
    options.method ?? 'coderrec',
    async (cases) => {
      const emb = await coderrecUserEmbeddings(
        phase,
        config,
        cases.map((x) => x.history),
        cases.length,
      );
      return cases.map((x, i) => dotScores(emb, i, items, config.hidden, x.candidates));
    },
    { silent: options.silent, resamples: options.resamples, batchSize: 256 },
  );
}
