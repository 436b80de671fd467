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
import { reportFromRanks, type MetricReport } from '@thoughtspace/metrics';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  scoreExamples,
  type AgreementFeature,
  type ScorerConfig,
  type TrainedScorer,
} from '@thoughtspace/scorer';
import {
  thoughtSpaceAgreement,
  type AgreementFn,
  type GenericSpace,
} from '@thoughtspace/tot-selector';
import { treeSource } from '../adapters/reasons';
import type { ReasonPort } from '../ports';
import { phaseOneStage, type PhaseOneSummary } from './phase-one';
import { untimed, type StageHook } from './stage-timer';
import {
  examplesFor,
  examplesWithReasons,
  prepareSplit,
  leafDiversity,
  oracleLeafRanks,
  ranksWithReasons,
  variantReasons,
  type LeafDiversity,
  runFromLogits,
  sampleLeaves,
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
  /** The scorer's agreement feature (the main job passes its --scorer-agreement; absent = history-candidate). */
  scorerAgreement?: AgreementFeature;
  generic?: GenericSpace;
  /** Mean token log-likelihood of the behaviour given a leaf (providers with logprobs); absent -> that row is skipped. */
  likelihood?: AgreementFn;
  variants: Variant[];
  /** Cross-domain: build Phase I (positive rationales, Thought Space) from another dataset. */
  phaseOne?: { dataset: Dataset; loo: LeaveOneOut; name: string };
  resamples: number;
  silent?: boolean;
  log: (line: string) => void;
  /** Times and names the sub-stages (the main job's stage timer); default: untimed. */
  stage?: StageHook;
  /**
   * Called with the trained Thought Space and Thought-Space scorer before
   * they are disposed (the main job writes the servable bundle here).
   */
  onServable?: (m: {
    space: ThoughtSpace;
    scorer: TrainedScorer;
    validSet: EvaluationSet;
  }) => Promise<void>;
  /**
   * Called after each variant's test run with the scorer's test logits (the
   * main job writes results incrementally, and the served variant's
   * predictions).
   */
  onRun?: (run: ScorerRun, m: { variant: Variant; testLogits: Float32Array[] }) => Promise<void>;
}

export interface ReasoningResult {
  runs: { variant: Variant; run: ScorerRun }[];
  canary: { variant: Variant; run: ScorerRun; chance: number };
  /**
   * Validation upper bound for selection: the leaf that ranks the target best
   * (hindsight) against the selections, all scored by the thought-space scorer.
   */
  diversity: LeafDiversity;
  oracle?: {
    split: 'valid';
    scorer: string;
    leavesPerTree: number;
    rows: { method: string; metrics: MetricReport['metrics'] }[];
  };
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
  const stage = o.stage ?? untimed;
  if (o.protocol.kind !== 'sampled')
    throw new InvalidArgumentError(
      'protocol: the reasoning stages need a fixed candidate count: use a sampled:N protocol',
    );
  const phase = o.phaseOne ?? { dataset, loo, name: 'this dataset' };
  const sasrec = trainedSasrecIndex(o.sasrec);
  const treeContext = {
    dataset,
    loo,
    sasrec,
    source: treeSource(o.reasons),
    branching: o.branching,
    agreement: o.scorerAgreement,
    silent: o.silent,
  };
  const validSet = buildEvaluationSet({
    dataset,
    datasetHash: o.datasetHash,
    split: 'valid',
    protocol: o.protocol,
    seed: o.seed,
    loo,
  });
  // Leaves of 200 validation trees: E1 must read a whole leaf, base reason and refinements.
  const leafSamples = await stage('reasoning: leaf samples', () =>
    sampleLeaves(treeContext, validSet, 'valid', 200),
  );
  const { space, summary } = await stage('reasoning: phase I (rationales + thought space)', () =>
    phaseOneStage({
      ...phase,
      reasons: o.reasons,
      provider: o.provider,
      seed: o.seed,
      encoderConfig: o.encoderConfig,
      leafSamples,
      silent: o.silent,
      log: o.log,
    }),
  );
  const memo = new MemoSpace(space, space.config.outputDim, { silent: o.silent });
  const context: SplitContext = { ...treeContext, memo };
  const agreement: Partial<
    Record<'thought-space' | 'generic-semantic' | 'log-likelihood', AgreementFn>
  > = {
    'thought-space': thoughtSpaceAgreement(memo),
  };
  if (o.generic) agreement['generic-semantic'] = o.generic.agreement;
  if (o.likelihood) agreement['log-likelihood'] = o.likelihood;
  // A split's selections are deterministic: made once, reused by every stage that needs them.
  const selections = new Map<PreparedSplit, Map<Variant, Promise<string[] | undefined>>>();
  const reasonsOf = (prepared: PreparedSplit, variant: Exclude<Variant, 'control-channels'>) => {
    let bySplit = selections.get(prepared);
    if (!bySplit) selections.set(prepared, (bySplit = new Map()));
    let reasons = bySplit.get(variant);
    if (!reasons) {
      reasons = variantReasons({ prepared, variant, dataset, seed: o.seed, agreement });
      bySplit.set(variant, reasons);
    }
    return reasons;
  };
  const examples = async (prepared: PreparedSplit, variant: Variant) =>
    variant === 'control-channels'
      ? examplesFor({ prepared, variant, dataset, sasrec, memo, seed: o.seed, agreement })
      : examplesWithReasons({
          prepared,
          reasons: await reasonsOf(prepared, variant),
          sasrec,
          memo,
        });

  const validPrepared = await stage('reasoning: valid trees + features', () =>
    prepareSplit(context, validSet, 'valid'),
  );
  const testPrepared = await stage('reasoning: test trees + features', () =>
    prepareSplit(context, o.testSet, 'test'),
  );
  const shape = {
    candidates: o.testSet.candidates[0].items.length,
    features: 4,
    reasonDim: memo.dim,
    itemDim: sasrec.dim,
  };

  const runs: ReasoningResult['runs'] = [];
  let canaryScorer:
    { variant: Variant; trained: Awaited<ReturnType<typeof trainVariant>> } | undefined;
  await stage('reasoning: scorer variants (train on valid, score test)', async () => {
    for (const variant of o.variants) {
      if (variant === 'generic-semantic' && !o.generic) continue;
      if (variant === 'log-likelihood' && !agreement['log-likelihood']) {
        o.log(
          `skipping ${VARIANT_LABELS[variant]}: provider ${o.provider} exposes no log-probabilities`,
        );
        continue;
      }
      const validExamples = await examples(validPrepared, variant);
      const trained = await trainVariant({
        examples: validExamples,
        shape: { ...shape, features: validExamples[0].features.length / shape.candidates },
        seed: o.seed,
        config: o.scorerConfig,
        label: `train ${VARIANT_LABELS[variant]}`,
        silent: o.silent,
      });
      const logits = await scoreExamples(trained, await examples(testPrepared, variant));
      const run = runFromLogits(o.testSet, VARIANT_LABELS[variant], logits, o.resamples);
      runs.push({ variant, run });
      await o.onRun?.(run, { variant, testLogits: logits });
      if (variant === 'thought-space') {
        canaryScorer = { variant, trained };
        await o.onServable?.({ space, scorer: trained, validSet });
      } else await trained.trainer.dispose();
    }
  });

  // Room for selection: the best leaf with hindsight, against the selections, on validation.
  let oracle: ReasoningResult['oracle'];
  const servable = canaryScorer;
  if (servable)
    await stage('reasoning: oracle leaf (valid)', async () => {
      const scorer = servable.trained;
      const score = (xs: Awaited<ReturnType<typeof examples>>) => scoreExamples(scorer, xs);
      const { oracle: oracleRanks, leaves } = await oracleLeafRanks({
        prepared: validPrepared,
        score,
        sasrec,
        memo,
      });
      const ranksOf = async (variant: Exclude<Variant, 'control-channels'>) =>
        ranksWithReasons({
          prepared: validPrepared,
          reasons: await reasonsOf(validPrepared, variant),
          score,
          sasrec,
          memo,
        });
      const rows: { method: string; ranks: Int32Array }[] = [
        { method: 'oracle leaf (hindsight)', ranks: oracleRanks },
      ];
      for (const v of ['thought-space', 'random-leaf', 'base-only'] as const)
        rows.push({ method: VARIANT_LABELS[v], ranks: await ranksOf(v) });
      oracle = {
        split: 'valid',
        scorer: `${VARIANT_LABELS['thought-space']} (trained on these validation cases)`,
        leavesPerTree: leaves,
        rows: rows.map((r) => ({
          method: r.method,
          metrics: reportFromRanks(r.ranks, { seed: o.seed, resamples: o.resamples }).metrics,
        })),
      };
      o.log(
        `oracle leaf on validation: HR@1 ${oracle.rows.map((r) => `${r.method} ${r.metrics['HR@1'].mean.toFixed(4)}`).join(', ')}`,
      );
    });

  // How different the leaves of one tree are (validation trees; E1 vectors are memoized).
  const diversity = await stage('reasoning: leaf diversity', () =>
    leafDiversity(validPrepared.trees, memo),
  );
  o.log(
    `leaf diversity (validation): mean pairwise E1 cosine ${diversity.meanPairwiseE1Cosine.toFixed(3)}, distinct evidence share ${diversity.distinctEvidenceShare.toFixed(3)} over ${diversity.trees} trees of ${diversity.leavesPerTree} leaves`,
  );

  // Leakage canary: the same test cases with permuted labels, through the same test-time path.
  const canaryVariant = canaryScorer?.variant ?? 'no-reason';
  const canaryRun = await stage('reasoning: leakage canary', async () => {
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
    const canaryLogits = await scoreExamples(
      trained,
      await examples(canaryPrepared, canaryVariant),
    );
    const run = runFromLogits(
      permuted,
      `canary: ${VARIANT_LABELS[canaryVariant]}, permuted labels`,
      canaryLogits,
      o.resamples,
    );
    await trained.trainer.dispose();
    return run;
  });
  await space.dispose();

  return {
    runs,
    canary: { variant: canaryVariant, run: canaryRun, chance: 1 / shape.candidates },
    encoder: summary,
    oracle,
    diversity,
    itemsWithoutText: dataset.items.filter((it: Item) => !it.title && !it.description).length,
  };
}
