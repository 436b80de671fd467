import type { ChartSpec } from '@thoughtspace/report';
import { BASELINES, createBaseline, evaluateScorer, type ScorerRun } from '@thoughtspace/baselines';
import {
  evaluateSasrec,
  trainSasrec,
  validateConfig,
  writeLearningCurve,
  type SasrecConfig,
  type TrainedSasrec,
} from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  formatProtocol,
  leaveOneOut,
  sequencesBefore,
  shortHash,
  type EvaluationSet,
  type LeaveOneOut,
  type Prepared,
  type Protocol,
} from '@thoughtspace/data';
import { compareRanks, type MetricName, type PairedComparison } from '@thoughtspace/metrics';
import type { Row } from './report';

/**
 * Training budgets of the main job (defaults) and of `--quick` (CI). The
 * main job's SASRec stops on validation (no better NDCG@10 in 4 evaluations,
 * 20 epochs); the 400-epoch cap only bounds the run time (~2.2 s/epoch on
 * luxury-beauty-2018), it is not meant to be reached.
 */
export const MAIN_BUDGET = {
  sasrec: { epochs: 400, evalEvery: 5, patience: 4 },
  encoderEpochs: 8,
  /** No cap on users (0). */
  maxUsers: 0,
};
/**
 * `--quick` is a bounded amount of work whatever the dataset size: at most
 * 2,500 users (a seeded sample of whole users; CI's all-beauty-2018 has
 * 2,169, all kept), so a 50k-user dataset costs what a 2.5k-user one does
 * after reading it. The whole job costs about 0.07 s per user on a quiet
 * day, most of it the per-user reason trees and their encodings
 * (docs/scale.md), so --quick stays near 3 minutes plus reading.
 */
export const QUICK_BUDGET = {
  sasrec: { epochs: 6, evalEvery: 3, patience: 0 },
  encoderEpochs: 2,
  maxUsers: 2_500,
};

/** A row of the main table with the ranks its paired tests need. */
export type RunRow = Row & { run: ScorerRun };

export interface Evaluation {
  loo: LeaveOneOut;
  testSet: EvaluationSet;
  /** What models fitted for the test split may see: every sequence before its test item. */
  fit: { sequences: Int32Array[]; numItems: number };
}

/** Stage: the leave-one-out split and the test evaluation set of the protocol. */
export function evaluationStage(o: {
  prepared: Prepared;
  protocol: Protocol;
  seed: number;
}): Evaluation {
  const { dataset, manifest } = o.prepared;
  const loo = leaveOneOut(dataset);
  const testSet = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    protocol: o.protocol,
    seed: o.seed,
    loo,
  });
  return {
    loo,
    testSet,
    fit: { sequences: sequencesBefore(loo, 'test'), numItems: dataset.itemIds.length },
  };
}

/** Stage: the non-neural baselines on the test set. */
export function baselineStage(o: {
  evaluation: Evaluation;
  seed: number;
  resamples: number;
}): RunRow[] {
  return BASELINES.map((name) => {
    const run = evaluateScorer(
      o.evaluation.testSet,
      createBaseline(name, o.evaluation.fit, o.seed),
      {
        resamples: o.resamples,
      },
    );
    return { name: run.method, provider: 'none', report: run.report, run };
  });
}

/** Stage: SASRec trained on the training split (early stopping on validation), evaluated on test. */
export async function sasrecStage(o: {
  prepared: Prepared;
  evaluation: Evaluation;
  protocol: Protocol;
  seed: number;
  resamples: number;
  budget: typeof MAIN_BUDGET;
  epochs?: number;
  out: string;
  log: (line: string) => void;
}): Promise<{
  sasrec: TrainedSasrec;
  config: SasrecConfig;
  learningCurve: ChartSpec;
  row: RunRow;
}> {
  const { dataset, manifest } = o.prepared;
  const config = validateConfig({
    ...o.budget.sasrec,
    epochs: o.epochs ?? o.budget.sasrec.epochs,
    seed: o.seed,
  });
  o.log(
    `training SASRec (paper architecture, up to ${config.epochs} epochs, validation ${formatProtocol(o.protocol)}) ...`,
  );
  const sasrec = await trainSasrec({
    dataset,
    datasetHash: manifest.hash,
    loo: o.evaluation.loo,
    config,
    validProtocol: o.protocol,
  });
  const run = await evaluateSasrec(sasrec.trainer, sasrec.model, config, o.evaluation.testSet, {
    resamples: o.resamples,
  });
  const learningCurve = await writeLearningCurve(
    o.out,
    sasrec.curve,
    `${manifest.name} (manifest ${shortHash(manifest.hash)}), seed ${o.seed}`,
  );
  return {
    sasrec,
    config,
    learningCurve,
    row: { name: 'sasrec', provider: 'none', report: run.report, run },
  };
}

/** Pairs the honest reading rests on: does a reason help, does the tree help, does the Thought Space select better? */
export const KEY_COMPARISONS: [string, string][] = [
  ['scorer, no reason', 'sasrec'],
  ['scorer + base reason', 'scorer, no reason'],
  // Which part of the reason's gain is features: the same channels without a reason ...
  ['control: no reason, matched channels', 'scorer, no reason'],
  // ... and which is reasoning: the reason against the channels, another user's reason, and a CF-only text.
  ['scorer + base reason', 'control: no reason, matched channels'],
  ['scorer + base reason', "control: another user's reason"],
  ['scorer + base reason', "control: reason listing neighbours' items only"],
  ['scorer + tree, thought space', 'scorer + base reason'],
  ['scorer + tree, thought space', 'scorer + tree, random leaf'],
  ['scorer + tree, thought space', 'scorer + tree, generic space'],
];

export interface Comparison {
  a: string;
  b: string;
  tests: Record<MetricName, PairedComparison>;
}

/** Stage: the key paired comparisons (same users, randomization tests) among the rows present. */
export function comparisonStage(o: {
  rows: RunRow[];
  seed: number;
  resamples: number;
}): Comparison[] {
  const byName = new Map(o.rows.map((r) => [r.name, r.run]));
  return KEY_COMPARISONS.filter(([a, b]) => byName.has(a) && byName.has(b)).map(([a, b]) => ({
    a,
    b,
    tests: compareRanks((byName.get(a) as ScorerRun).ranks, (byName.get(b) as ScorerRun).ranks, {
      seed: o.seed,
      resamples: o.resamples,
    }),
  }));
}
