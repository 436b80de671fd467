import type { ScorerRun } from '@thoughtspace/baselines';
import { trainedSasrecIndex, type TrainedSasrec } from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  permuteLabels,
  type Dataset,
  type EvaluationSet,
  type Item,
  type LeaveOneOut,
  type Protocol,
} from '@thoughtspace/data';
import { MemoSpace, type ThoughtSpace, type ThoughtSpaceConfig } from '@thoughtspace/encoder';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { scoreExamples, type ScorerConfig, type TrainedScorer } from '@thoughtspace/scorer';
import {
  thoughtSpaceAgreement,
  type AgreementFn,
  type GenericSpace,
} from '@thoughtspace/tot-selector';
import { treeSource } from '../adapters/reasons';
import type { ReasonPort } from '../ports';
import { phaseOneStage, type PhaseOneSummary } from './phase-one';
import {
  examplesFor,
  prepareSplit,
  runFromLogits,
  trainVariant,
  VARIANT_LABELS,
  type PreparedSplit,
  type SplitContext,
  type Variant,
} from './phase-two';

export interface ReasoningOptions {
  dataset: Dataset;
  datasetHash: string;
  loo: LeaveOneOut;
  protocol: Protocol;
  seed: number;
  testSet: EvaluationSet;
  sasrec: TrainedSasrec;
  reasons: ReasonPort;
  /** Provider name, for logs and reports. */
  provider: string;
  branching: readonly number[];
  encoderConfig?: Partial<ThoughtSpaceConfig>;
  scorerConfig?: Partial<ScorerConfig>;
  generic?: GenericSpace;
  variants: Variant[];
  /** Cross-domain: build Phase I (positive rationales, Thought Space) from another dataset. */
  phaseOne?: { dataset: Dataset; loo: LeaveOneOut; name: string };
  resamples: number;
  silent?: boolean;
  log: (line: string) => void;
  /**
   * Called with the trained Thought Space and Thought-Space scorer before
   * they are disposed (the main job writes the servable bundle here).
   */
  onServable?: (m: {
    space: ThoughtSpace;
    scorer: TrainedScorer;
    validSet: EvaluationSet;
  }) => Promise<void>;
}

export interface ReasoningResult {
  runs: { variant: Variant; run: ScorerRun }[];
  canary: { variant: Variant; run: ScorerRun; chance: number };
  encoder: PhaseOneSummary;
  itemsWithoutText: number;
}

/**
 * Phase I (positive rationales for training targets -> Thought Space) and
 * Phase II (base reason -> tree -> selection -> scorer) of the method, with
 * the ablations and the leakage canary. The scorer trains on validation cases
 * (whose targets neither SASRec nor the encoder trained on) and is evaluated
 * on the test cases; nothing derived from a test target reaches its inputs.
 */
export async function runReasoning(o: ReasoningOptions): Promise<ReasoningResult> {
  const { dataset, loo } = o;
  if (o.protocol.kind !== 'sampled')
    throw new InvalidArgumentError(
      'protocol: the reasoning stages need a fixed candidate count: use a sampled:N protocol',
    );
  const phase = o.phaseOne ?? { dataset, loo, name: 'this dataset' };
  const { space, summary } = await phaseOneStage({
    ...phase,
    reasons: o.reasons,
    provider: o.provider,
    seed: o.seed,
    encoderConfig: o.encoderConfig,
    silent: o.silent,
    log: o.log,
  });
  const memo = new MemoSpace(space, space.config.outputDim, { silent: o.silent });
  const sasrec = trainedSasrecIndex(o.sasrec);
  const context: SplitContext = {
    dataset,
    loo,
    sasrec,
    source: treeSource(o.reasons),
    memo,
    branching: o.branching,
    silent: o.silent,
  };
  const agreement: Partial<Record<'thought-space' | 'generic-semantic', AgreementFn>> = {
    'thought-space': thoughtSpaceAgreement(memo),
  };
  if (o.generic) agreement['generic-semantic'] = o.generic.agreement;
  const examples = (prepared: PreparedSplit, variant: Variant) =>
    examplesFor({ prepared, variant, dataset, sasrec, memo, seed: o.seed, agreement });

  const validSet = buildEvaluationSet({
    dataset,
    datasetHash: o.datasetHash,
    split: 'valid',
    protocol: o.protocol,
    seed: o.seed,
    loo,
  });
  const validPrepared = await prepareSplit(context, validSet, 'valid');
  const testPrepared = await prepareSplit(context, o.testSet, 'test');
  const shape = {
    candidates: o.testSet.candidates[0].items.length,
    features: 4,
    reasonDim: memo.dim,
    itemDim: sasrec.dim,
  };

  const runs: ReasoningResult['runs'] = [];
  let canaryScorer:
    { variant: Variant; trained: Awaited<ReturnType<typeof trainVariant>> } | undefined;
  for (const variant of o.variants) {
    if (variant === 'generic-semantic' && !o.generic) continue;
    if (variant === 'log-likelihood' && !agreement[variant as 'thought-space']) {
      o.log(
        `skipping ${VARIANT_LABELS[variant]}: provider ${o.provider} exposes no log-probabilities`,
      );
      continue;
    }
    const trained = await trainVariant({
      examples: await examples(validPrepared, variant),
      shape,
      seed: o.seed,
      config: o.scorerConfig,
      label: `train ${VARIANT_LABELS[variant]}`,
      silent: o.silent,
    });
    const logits = await scoreExamples(trained, await examples(testPrepared, variant));
    runs.push({
      variant,
      run: runFromLogits(o.testSet, VARIANT_LABELS[variant], logits, o.resamples),
    });
    if (variant === 'thought-space') {
      canaryScorer = { variant, trained };
      await o.onServable?.({ space, scorer: trained, validSet });
    } else await trained.trainer.dispose();
  }

  // Leakage canary: the same test cases with permuted labels, through the same test-time path.
  const canaryVariant = canaryScorer?.variant ?? 'no-reason';
  const trained =
    canaryScorer?.trained ??
    (await trainVariant({
      examples: await examples(validPrepared, 'no-reason'),
      shape,
      seed: 1,
      label: 'train canary scorer',
      silent: true,
    }));
  const permuted = permuteLabels(o.testSet, o.seed);
  const canaryPrepared = await prepareSplit(context, permuted, 'test');
  const canaryLogits = await scoreExamples(trained, await examples(canaryPrepared, canaryVariant));
  const canaryRun = runFromLogits(
    permuted,
    `canary: ${VARIANT_LABELS[canaryVariant]}, permuted labels`,
    canaryLogits,
    o.resamples,
  );
  await trained.trainer.dispose();
  await space.dispose();

  return {
    runs,
    canary: { variant: canaryVariant, run: canaryRun, chance: 1 / shape.candidates },
    encoder: summary,
    itemsWithoutText: dataset.items.filter((it: Item) => !it.title && !it.description).length,
  };
}
