import { adam, adamW, createTopK, Trainer, type Feeds, type TypedData } from '@thoughtspace/engine';
import {
  buildFullRankingSet,
  evaluateBatched,
  evaluateFullRankingBatched,
  type FullRankingSet,
  type ScorerRun,
} from '@thoughtspace/baselines';
import {
  buildEvaluationSet,
  type Dataset,
  type EvaluationSet,
  type LeaveOneOut,
  type Protocol,
} from '@thoughtspace/data';
import { createProgress, formatDuration } from '@thoughtspace/runtime';
import { batchesPerEpoch, epochBatches } from './batches';
import type { SasrecConfig, SequentialConfig } from './config';
import { dotScores, userEmbeddings } from './embeddings';
import { buildSasrec, type SasrecGraph } from './graph';

export interface CurvePoint {
  epoch: number;
  loss: number;
  validNdcg10?: number;
  validHr10?: number;
  validHr1?: number;
  seconds: number;
}

/** A model trained by the shared sequential loop (SASRec, GRU4Rec): the graph has SASRec's interface. */
export interface TrainedSequential<C extends SequentialConfig> {
  trainer: Trainer;
  model: SasrecGraph;
  config: C;
  numItems: number;
  curve: CurvePoint[];
  bestEpoch: number;
  epochsRun: number;
  trainSeconds: number;
  /** Training sequences per second, over the whole run (evaluation excluded). */
  sequencesPerSecond: number;
  secondsPerEpoch: number;
}

export type TrainedSasrec = TrainedSequential<SasrecConfig>;

export interface TrainOptions {
  dataset: Dataset;
  datasetHash: string;
  loo: LeaveOneOut;
  config: SasrecConfig;
  /** Protocol for the periodic validation (early stopping on NDCG@10). */
  validProtocol: Protocol;
  /** Lines of progress text (epoch summaries) go here; default stderr. */
  log?: (line: string) => void;
  silent?: boolean;
  /** Start from these parameter values instead of the initialisers (e.g. `item_embedding` from ReaEmb). */
  initialParameters?: ReadonlyMap<string, Float32Array>;
  /** Keep `item_embedding` fixed (e.g. frozen ReaEmb vectors); default false = fine-tuned. */
  freezeItemEmbedding?: boolean;
}

function snapshot(trainer: Trainer): {
  step: number;
  parameters: Map<string, TypedData>;
  optimizerState: Map<string, TypedData>;
} {
  const s = trainer.state;
  const copy = (m: ReadonlyMap<string, TypedData>) =>
    new Map([...m].map(([k, v]) => [k, (v as Float32Array).slice()]));
  return { step: s.step, parameters: copy(s.parameters), optimizerState: copy(s.optimizerState) };
}

/**
 * Train SASRec on the training prefixes (validation and test items never
 * enter training), validating every `evalEvery` epochs with the given
 * protocol; keeps the parameters of the best validation NDCG@10.
 */
export async function trainSasrec(o: TrainOptions): Promise<TrainedSasrec> {
  const numItems = o.dataset.itemIds.length;
  const model = buildSasrec(o.config, numItems, { freezeItemEmbedding: o.freezeItemEmbedding });
  return trainSequential({ ...o, model, label: 'sasrec' });
}

/**
 * The training loop shared by every model with SASRec's graph interface
 * (`seq`, `pos`/`neg` or `negatives` -> `loss`; `user_embedding`; the
 * `item_embedding` table): seeded epochs over the training prefixes, periodic
 * validation, early stopping on validation NDCG@10, best parameters restored.
 */
export async function trainSequential<C extends SequentialConfig>(
  o: Omit<TrainOptions, 'config'> & { config: C; model: SasrecGraph; label: string },
): Promise<TrainedSequential<C>> {
  const { config, model } = o;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const numItems = o.dataset.itemIds.length;
  const optimizer =
    config.weightDecay > 0
      ? adamW({ beta2: config.beta2, weightDecay: config.weightDecay })
      : adam({ beta2: config.beta2 });
  const trainer = await Trainer.create({
    graph: model.graph,
    loss: model.loss,
    optimizer,
    seed: config.seed,
    threads: config.threads,
  });
  if (o.initialParameters)
    trainer.restore({ step: 0, parameters: o.initialParameters, optimizerState: new Map() });
  const train = o.loo.train;
  const validCommon = {
    dataset: o.dataset,
    datasetHash: o.datasetHash,
    split: 'valid' as const,
    seed: config.seed,
    loo: o.loo,
  };
  const validSet =
    o.validProtocol.kind === 'full'
      ? buildFullRankingSet(validCommon)
      : buildEvaluationSet({ ...validCommon, protocol: o.validProtocol });
  const steps = batchesPerEpoch(train, config.batch);
  const sequences = train.filter((s) => s.length >= 2).length;
  const curve: CurvePoint[] = [];
  let best = { ndcg: -1, epoch: 0, state: snapshot(trainer) };
  let sinceBest = 0;
  let trainSeconds = 0;
  let epoch = 0;
  const progress = createProgress({
    label: `train ${o.label}`,
    total: steps * config.epochs,
    unit: 'steps',
    silent: o.silent,
    intervalMs: 10000,
  });
  for (epoch = 1; epoch <= config.epochs; epoch++) {
    const t0 = performance.now();
    const loss = await trainer.fit({
      batches: epochBatches({
        sequences: train,
        numItems,
        maxLen: config.maxLen,
        batch: config.batch,
        loss: config.loss,
        negatives: config.negatives,
        seed: config.seed,
        epoch,
      }),
      lr: () => config.lr,
      onStep: () => progress.tick(),
    });
    const seconds = (performance.now() - t0) / 1000;
    trainSeconds += seconds;
    const point: CurvePoint = { epoch, loss, seconds };
    if (epoch % config.evalEvery === 0 || epoch === config.epochs) {
      const run = await evaluateSasrec(trainer, model, config, validSet, {
        silent: true,
        resamples: 10,
      });
      point.validNdcg10 = run.report.metrics['NDCG@10'].mean;
      point.validHr10 = run.report.metrics['HR@10'].mean;
      point.validHr1 = run.report.metrics['HR@1'].mean;
      const better = point.validNdcg10 > best.ndcg;
      if (better) {
        best = { ndcg: point.validNdcg10, epoch, state: snapshot(trainer) };
        sinceBest = 0;
      } else sinceBest++;
      if (!o.silent) {
        log(
          `epoch ${epoch}: loss ${loss.toFixed(4)}, valid NDCG@10 ${point.validNdcg10.toFixed(4)} HR@10 ${point.validHr10.toFixed(4)}` +
            `${better ? ' (best)' : ''}, ${seconds.toFixed(1)} s/epoch, ETA ${formatDuration(((config.epochs - epoch) * trainSeconds) / epoch)}`,
        );
      }
    }
    curve.push(point);
    if (config.patience > 0 && sinceBest >= config.patience) {
      if (!o.silent)
        log(
          `early stop after epoch ${epoch}: no better validation NDCG@10 in ${config.patience} evaluations (best at epoch ${best.epoch})`,
        );
      break;
    }
  }
  progress.done();
  const epochsRun = Math.min(epoch, config.epochs);
  trainer.restore(best.state);
  return {
    trainer,
    model,
    config,
    numItems,
    curve,
    bestEpoch: best.epoch,
    epochsRun,
    trainSeconds,
    sequencesPerSecond: (sequences * epochsRun) / trainSeconds,
    secondsPerEpoch: trainSeconds / epochsRun,
  };
}

/** User states for many histories from a trainer's current parameters (inference mode, no dropout). */
export function trainerUserEmbeddings(
  trained: { trainer: Trainer; model: SasrecGraph; config: SequentialConfig },
  histories: ArrayLike<number>[],
  batch = 512,
): Promise<Float32Array> {
  const { trainer, model, config } = trained;
  const forward = async (feeds: Feeds) =>
    (await trainer.evaluate(feeds, { user_embedding: model.userEmbedding })).user_embedding;
  return userEmbeddings(forward, histories, config.maxLen, config.hidden, batch);
}

/**
 * Evaluate the trainer's current parameters on an evaluation set (valid or
 * test). Full ranking runs on the engine's batched top-k over the item table.
 */
export async function evaluateSasrec(
  trainer: Trainer,
  model: SasrecGraph,
  config: SequentialConfig,
  set: EvaluationSet | FullRankingSet,
  options: { silent?: boolean; resamples?: number } = {},
): Promise<ScorerRun> {
  const items = trainer.parameters.get('item_embedding') as Float32Array;
  const embed = (histories: Int32Array[]) =>
    trainerUserEmbeddings({ trainer, model, config }, histories, 512);
  if (!('candidates' in set)) {
    const catalogue = await createTopK({
      table: items.subarray(config.hidden),
      dim: config.hidden,
      threads: config.threads,
    });
    try {
      return await evaluateFullRankingBatched(
        set,
        'sasrec',
        async (cases) =>
          catalogue.rank({
            queries: await embed(cases.map((c) => c.history)),
            targets: cases.map((c) => c.target),
            exclude: cases.map((c) => c.touched),
            silent: true,
          }),
        { silent: options.silent, resamples: options.resamples, batchSize: 2048 },
      );
    } finally {
      await catalogue.dispose();
    }
  }
  return evaluateBatched(
    set,
    'sasrec',
    async (cases) => {
      const emb = await trainerUserEmbeddings(
        { trainer, model, config },
        cases.map((c) => c.history),
        cases.length,
      );
      return cases.map((c, i) => dotScores(emb, i, items, config.hidden, c.candidates));
    },
    { silent: options.silent, resamples: options.resamples, batchSize: 512 },
  );
}
