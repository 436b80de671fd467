import { existsSync } from 'node:fs';
import {
  averagedWordVectors,
  disposeCoderRec,
  DEFAULT_GRU4REC,
  evaluateCoderRec,
  evaluateSasrec,
  gloveCandidates,
  itemEmbeddingInit,
  readGlove,
  trainCoderRec,
  trainGru4rec,
  trainReaEmb,
  trainSasrec,
  validateCoderRecConfig,
  validateGru4recConfig,
  validateReaEmbConfig,
  type SasrecConfig,
  type TrainedSequential,
  type SequentialConfig,
} from '@thoughtspace/candidate-gen';
import type { Prepared, Protocol } from '@thoughtspace/data';
import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';
import type { Evaluation, RunRow } from './stages';

/** The sibling methods `--siblings` can add as rows of the main table. */
export const SIBLINGS = ['coderrec', 'reaemb', 'gru4rec'] as const;
export type Sibling = (typeof SIBLINGS)[number];

/**
 * The siblings' own budgets (SASRec/GRU4Rec rows reuse the main SASRec's
 * config: same epochs, validation and early stopping). Default off, so the
 * default main job's time is unchanged.
 */
export const SIBLINGS_MAIN_BUDGET = {
  reaemb: { lrclEpochs: 3, crrlEpochs: 1, crrlAnchors: 2048 },
  coderrec: { phase1Epochs: 8, phase2Epochs: 4, codes: 64, rqvaeEpochs: 20 },
};
export const SIBLINGS_QUICK_BUDGET = {
  reaemb: { lrclEpochs: 1, crrlEpochs: 1, crrlAnchors: 128 },
  coderrec: { phase1Epochs: 1, phase2Epochs: 1, codes: 32, rqvaeEpochs: 5 },
};

/** `--siblings coderrec,reaemb,gru4rec` -> the list; an unknown or repeated name is an error naming the flag. */
export function parseSiblings(text: string | undefined): Sibling[] {
  if (text === undefined || text.trim() === '') return [];
  const names = text.split(',').map((s) => s.trim());
  for (const n of names)
    if (!(SIBLINGS as readonly string[]).includes(n))
      throw new InvalidArgumentError(
        `--siblings: unknown method "${n}" (one or more of ${SIBLINGS.join(', ')}, comma-separated)`,
      );
  if (new Set(names).size !== names.length)
    throw new InvalidArgumentError(`--siblings: "${text}" names a method twice`);
  return names as Sibling[];
}

/** GloVe for CoderRec's item vectors: the main job's word vectors, else the shared model folder. */
export function siblingWordVectors(
  siblings: readonly Sibling[],
  wordVectors: string | undefined,
): string | undefined {
  if (!siblings.includes('coderrec')) return undefined;
  const path = [wordVectors, ...gloveCandidates()].find((p) => p && existsSync(p));
  if (!path)
    throw new FailedPreconditionError(
      `--siblings coderrec: no GloVe word vectors (set THOUGHTSPACE_WORD_VECTORS or THOUGHTSPACE_MODELS; looked in ${gloveCandidates().join(', ')})`,
    );
  return path;
}

export interface SiblingsResult {
  rows: RunRow[];
  /** Per row: training seconds per phase and the settings, for results.json. */
  summary: Record<string, unknown>;
}

/**
 * Stage: the selected sibling methods trained on the same training split and
 * evaluated on the main job's test set (same protocol, candidates and seed),
 * so resultsStage gives them CIs and paired tests against SASRec like every
 * other row. ReaEmb rows initialise SASRec (and GRU4Rec when selected) from
 * the PCA-reduced embeddings after LRCL and after CRRL, fine-tuned.
 */
export async function siblingsStage(o: {
  siblings: readonly Sibling[];
  prepared: Prepared;
  evaluation: Evaluation;
  protocol: Protocol;
  seed: number;
  resamples: number;
  quick?: boolean;
  /** The main SASRec's config: ReaEmb's SASRec rows and GRU4Rec train under the same budget. */
  sasrecConfig: SasrecConfig;
  /** GloVe path (siblingWordVectors), needed for coderrec. */
  gloveFile?: string;
  log: (line: string) => void;
}): Promise<SiblingsResult> {
  const { dataset, manifest } = o.prepared;
  const loo = o.evaluation.loo;
  const budget = o.quick ? SIBLINGS_QUICK_BUDGET : SIBLINGS_MAIN_BUDGET;
  const rows: RunRow[] = [];
  const summary: Record<string, unknown> = {
    selected: [...o.siblings],
    budget: o.quick ? 'quick' : 'main',
  };
  const sc = o.sasrecConfig;
  const gruConfig = validateGru4recConfig({
    maxLen: sc.maxLen,
    hidden: sc.hidden,
    gruHidden: sc.hidden,
    dropout: DEFAULT_GRU4REC.dropout,
    lr: sc.lr,
    batch: sc.batch,
    epochs: sc.epochs,
    beta2: sc.beta2,
    loss: sc.loss,
    negatives: sc.negatives,
    evalEvery: sc.evalEvery,
    patience: sc.patience,
    seed: o.seed,
    threads: sc.threads,
  });
  const common = {
    dataset,
    datasetHash: manifest.hash,
    loo,
    validProtocol: o.protocol,
    silent: true,
  };
  const evaluateRow = async (
    name: string,
    trained: TrainedSequential<SequentialConfig>,
    seconds: Record<string, number>,
  ) => {
    const run = await evaluateSasrec(
      trained.trainer,
      trained.model,
      trained.config,
      o.evaluation.testSet,
      { resamples: o.resamples, silent: true },
    );
    rows.push({ name, provider: 'none', report: run.report, run });
    summary[name] = {
      seconds,
      bestEpoch: trained.bestEpoch,
      epochsRun: trained.epochsRun,
    };
    o.log(
      `${name}: test NDCG@10 ${run.report.metrics['NDCG@10'].mean.toFixed(4)} (best epoch ${trained.bestEpoch} of ${trained.epochsRun})`,
    );
    await trained.trainer.dispose();
  };

  if (o.siblings.includes('gru4rec')) {
    o.log(`training GRU4Rec (hidden ${gruConfig.gruHidden}, up to ${gruConfig.epochs} epochs) ...`);
    const g = await trainGru4rec({ ...common, config: gruConfig });
    await evaluateRow('gru4rec', g, { gru4rec: g.trainSeconds });
    summary.gru4recConfig = gruConfig;
  }

  if (o.siblings.includes('reaemb')) {
    const reaConfig = validateReaEmbConfig({ ...budget.reaemb, seed: o.seed });
    o.log(
      `training ReaEmb (LRCL ${reaConfig.lrclEpochs} epochs, CRRL ${reaConfig.crrlAnchors} anchors) ...`,
    );
    const rea = await trainReaEmb({ dataset, loo, config: reaConfig, log: o.log, silent: true });
    summary.reaembConfig = reaConfig;
    const archs = o.siblings.includes('gru4rec') ? (['sasrec', 'gru4rec'] as const) : ['sasrec'];
    for (const stage of ['lrcl', 'crrl'] as const) {
      const emb = stage === 'lrcl' ? rea.lrcl : rea.crrl;
      if (!emb) continue;
      const seconds: Record<string, number> =
        stage === 'lrcl'
          ? { lrcl: rea.lrcl.seconds }
          : { lrcl: rea.lrcl.seconds, crrl: rea.crrl?.seconds ?? 0 };
      for (const arch of archs) {
        const initialParameters = new Map([
          [
            'item_embedding',
            itemEmbeddingInit({
              embeddings: emb.embeddings,
              numItems: dataset.itemIds.length,
              dim: reaConfig.hidden,
              hidden: sc.hidden,
              seed: o.seed,
            }),
          ],
        ]);
        const name = `${arch}+reaemb-${stage}`;
        o.log(`training ${name} ...`);
        const trained =
          arch === 'sasrec'
            ? await trainSasrec({ ...common, config: sc, initialParameters })
            : await trainGru4rec({ ...common, config: gruConfig, initialParameters });
        await evaluateRow(name, trained, { ...seconds, [arch]: trained.trainSeconds });
      }
    }
  }

  if (o.siblings.includes('coderrec')) {
    if (!o.gloveFile)
      throw new FailedPreconditionError('--siblings coderrec: no GloVe word vectors');
    const c = budget.coderrec;
    const config = validateCoderRecConfig({
      phase1Epochs: c.phase1Epochs,
      phase2Epochs: c.phase2Epochs,
      seed: o.seed,
      rqvae: { codes: c.codes, epochs: c.rqvaeEpochs, seed: o.seed },
    });
    o.log(
      `training CoderRec (RQ-VAE ${config.rqvae.levels} x ${config.rqvae.codes}, phase 1 ${config.phase1Epochs} epochs, phase 2 ${config.phase2Epochs}) ...`,
    );
    const vectors = averagedWordVectors(dataset.items, await readGlove(o.gloveFile));
    const cr = await trainCoderRec({ dataset, loo, config, vectors, log: o.log, silent: true });
    try {
      for (const phase of ['phase1', 'phase2'] as const) {
        const p = cr[phase];
        if (!p) continue;
        const name = `coderrec-${phase}`;
        const run = await evaluateCoderRec(p, config, o.evaluation.testSet, {
          resamples: o.resamples,
          silent: true,
          method: name,
        });
        rows.push({ name, provider: 'none', report: run.report, run });
        summary[name] = {
          seconds:
            phase === 'phase1'
              ? { rqvae: cr.rqvae.seconds, phase1: cr.phase1.seconds }
              : { rqvae: cr.rqvae.seconds, phase1: cr.phase1.seconds, phase2: p.seconds },
        };
        o.log(`${name}: test NDCG@10 ${run.report.metrics['NDCG@10'].mean.toFixed(4)}`);
      }
      summary.coderrecConfig = config;
      summary.rqvae = {
        usage: cr.rqvae.usage,
        collisions: cr.rqvae.collisions,
        reconstruction: cr.rqvae.reconstruction,
      };
    } finally {
      await disposeCoderRec(cr);
    }
  }
  return { rows, summary };
}
