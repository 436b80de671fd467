import type { ScorerRun } from '@thoughtspace/baselines';
import { rankOfTarget, reportFromRanks } from '@thoughtspace/metrics';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { ChartSpec } from '@thoughtspace/report';
import { dotScores, trainerUserEmbeddings, type TrainedSasrec } from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  permuteLabels,
  sequencesBefore,
  type Dataset,
  type EvaluationSet,
  type Item,
  type LeaveOneOut,
  type Protocol,
} from '@thoughtspace/data';
import {
  evaluateRecall,
  projectionSample,
  projectionSpec,
  splitByUser,
  ThoughtSpace,
  trainThoughtSpace,
  type ThoughtPair,
  type ThoughtSpaceConfig,
} from '@thoughtspace/encoder';
import {
  scoreExamples,
  trainScorer,
  type ScorerExample,
  type ScorerConfig,
} from '@thoughtspace/scorer';
import {
  leavesOf,
  type AgreementFn,
  type GenericSpace,
  type Strategy,
} from '@thoughtspace/tot-selector';
import { historyEvents, similarUsersItems } from './context';
import { collaborativeFeatures } from './features';
import { MemoSpace } from './memo';
import type { BehaviourRenderer, ReasonSource } from './ports';
import { buildTrees, dot, selectAll, thoughtSpaceAgreement, type CaseReasons } from './reasons';

/** The rows the reasoning stages add to the main table. */
export type Variant = 'no-reason' | Strategy;
export const VARIANT_LABELS: Record<Variant, string> = {
  'no-reason': 'scorer, no reason',
  'base-only': 'scorer + base reason',
  'random-leaf': 'scorer + tree, random leaf',
  'thought-space': 'scorer + tree, thought space',
  'generic-semantic': 'scorer + tree, generic space',
  'log-likelihood': 'scorer + tree, likelihood',
};

export interface ReasoningOptions {
  dataset: Dataset;
  datasetHash: string;
  loo: LeaveOneOut;
  protocol: Protocol;
  seed: number;
  testSet: EvaluationSet;
  sasrec: TrainedSasrec;
  source: ReasonSource;
  render: BehaviourRenderer;
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
}

export interface ReasoningResult {
  runs: { variant: Variant; run: ScorerRun }[];
  canary: { variant: Variant; run: ScorerRun; chance: number };
  encoder: {
    trainedOn: string;
    /** vega-lite spec: PCA of held-out behaviour / positive / negative embeddings before and after training. */
    projection: ChartSpec;
    pairs: number;
    heldOutPairs: number;
    recallBefore: { mean: number; low: number; high: number };
    recallAfter: { mean: number; low: number; high: number };
    chance: number;
    trainSeconds: number;
  };
  itemsWithoutText: number;
}

/** Ranks and metrics of scored test cases against the set's labels. */
function runFromLogits(
  set: EvaluationSet,
  method: string,
  logits: Float32Array[],
  resamples: number,
): ScorerRun {
  const started = performance.now();
  const ranks = Int32Array.from(set.candidates, (c, i) => rankOfTarget(logits[i], c.targetIndex));
  return {
    method,
    ranks,
    report: reportFromRanks(ranks, { seed: set.seed, resamples }),
    seconds: (performance.now() - started) / 1000,
  };
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
      'the reasoning stages need a fixed candidate count: use a sampled:N protocol',
    );
  const items = dataset.items;
  const itemEmb = o.sasrec.trainer.parameters.get('item_embedding') as Float32Array;
  const d = o.sasrec.config.hidden;

  // Phase I: positive rationales for training targets only (the last training item of each user),
  // from this dataset or, cross-domain, from another one.
  const phase = o.phaseOne ?? { dataset, loo, name: 'this dataset' };
  const pairs: ThoughtPair[] = [];
  for (let u = 0; u < phase.loo.train.length; u++) {
    const train = phase.loo.train[u];
    if (train.length < 2) continue;
    const history = historyEvents(phase.dataset, u, train.subarray(0, train.length - 1));
    const target = phase.dataset.items[train[train.length - 1]];
    pairs.push({
      user: phase.dataset.userIds[u],
      behaviour: o.render(history, target),
      rationale: await o.source.positive(history, target),
    });
  }
  const split = splitByUser(pairs, 0.1, o.seed);
  o.log(
    `thought space: ${split.train.length} positive rationales from training targets of ${phase.name} (${split.heldOut.length} held out), provider ${o.source.provider}`,
  );
  const space = await trainThoughtSpace({
    pairs: split.train,
    config: { seed: o.seed, ...o.encoderConfig },
    silent: o.silent,
    log: o.log,
  });
  const untrained = await ThoughtSpace.create({
    pairs: split.train,
    config: { seed: o.seed, ...o.encoderConfig },
  });
  const recallAfter = await evaluateRecall(space, split.heldOut, { seed: o.seed });
  const recallBefore = await evaluateRecall(untrained, split.heldOut, { seed: o.seed });
  const projection = projectionSpec({
    title:
      "Thought Space: held-out behaviours, their positive rationales and other users' rationales",
    subtitle: `provider ${o.source.provider}, seed ${o.seed}, PCA of 60 held-out users`,
    panels: [
      {
        title: 'before training',
        sample: await projectionSample(untrained, split.heldOut, recallBefore.negativeIndex),
      },
      {
        title: 'after training',
        sample: await projectionSample(space, split.heldOut, recallAfter.negativeIndex),
      },
    ],
  });
  await untrained.dispose();
  o.log(
    `thought space: held-out recall@1 among 11 ${recallAfter.recallAt1.mean.toFixed(3)} (before training ${recallBefore.recallAt1.mean.toFixed(3)}, chance ${recallAfter.chance.toFixed(3)})`,
  );
  const memo = new MemoSpace(space, space.config.outputDim, { silent: o.silent });

  // Phase II inputs for a split: trees, behaviour embeddings per candidate, collaborative features.
  const prepareSplit = async (set: EvaluationSet, which: 'valid' | 'test') => {
    const pool = sequencesBefore(loo, which);
    const caseStates = await trainerUserEmbeddings(
      o.sasrec,
      set.cases.map((c) => c.history),
    );
    const poolStates = await trainerUserEmbeddings(o.sasrec, pool);
    const similar = similarUsersItems({
      cases: set.cases,
      caseEmbeddings: caseStates,
      poolEmbeddings: poolStates,
      pool,
      dim: d,
      neighbours: 5,
      itemsPerNeighbour: 2,
      items,
    });
    const trees = await buildTrees({
      dataset,
      set,
      similarItems: similar,
      source: o.source,
      branching: o.branching,
      render: o.render,
      label: `reasons (${which})`,
      silent: o.silent,
    });
    // Warm the memo with every leaf and behaviour in large batches before per-case selection.
    await memo.encodeRationales(trees.flatMap((t) => leavesOf(t.nodes).map((n) => n.reason)));
    await memo.encodeBehaviours(trees.map((t) => t.behaviour));
    const sasrecScores = set.cases.map((c, i) =>
      dotScores(caseStates, i, itemEmb, d, set.candidates[i].items),
    );
    const collab = collaborativeFeatures({
      set,
      fit: { sequences: pool, numItems: items.length },
      sasrecScores,
    });
    const withCandidate = await memo.encodeBehaviours(
      set.cases.flatMap((c, i) => {
        const history = historyEvents(dataset, c.user, c.history);
        return Array.from(set.candidates[i].items, (item) => o.render(history, items[item]));
      }),
    );
    return { set, trees, collab, withCandidate };
  };

  const agreement: Partial<Record<'thought-space' | 'generic-semantic', AgreementFn>> = {
    'thought-space': thoughtSpaceAgreement(memo),
  };
  if (o.generic) agreement['generic-semantic'] = o.generic.agreement;

  const examplesFor = async (
    prepared: Awaited<ReturnType<typeof prepareSplit>>,
    variant: Variant,
  ): Promise<ScorerExample[]> => {
    const { set, trees, collab, withCandidate } = prepared;
    const reasons =
      variant === 'no-reason'
        ? undefined
        : await selectAll({
            trees,
            strategy: variant,
            seed: o.seed,
            users: set.cases.map((c) => dataset.userIds[c.user]),
            agreement,
          });
    const reasonVectors = reasons ? await memo.encodeRationales(reasons) : undefined;
    let offset = 0;
    return set.cases.map((c, i) => {
      const cands = set.candidates[i].items;
      const C = cands.length;
      const features = new Float32Array(C * 4);
      const itemVectors = new Float32Array(C * d);
      for (let k = 0; k < C; k++) {
        features.set(collab[i].subarray(k * 3, k * 3 + 3), k * 4);
        features[k * 4 + 3] = reasonVectors ? dot(reasonVectors[i], withCandidate[offset + k]) : 0;
        itemVectors.set(itemEmb.subarray((cands[k] + 1) * d, (cands[k] + 2) * d), k * d);
      }
      offset += C;
      return {
        features,
        items: itemVectors,
        reason: reasonVectors ? reasonVectors[i] : null,
        label: set.candidates[i].targetIndex,
      };
    });
  };

  const validSet = buildEvaluationSet({
    dataset,
    datasetHash: o.datasetHash,
    split: 'valid',
    protocol: o.protocol,
    seed: o.seed,
    loo,
  });
  const validPrepared = await prepareSplit(validSet, 'valid');
  const testPrepared = await prepareSplit(o.testSet, 'test');
  const shape = {
    candidates: o.testSet.candidates[0].items.length,
    features: 4,
    reasonDim: memo.dim,
    itemDim: d,
  };

  const runs: ReasoningResult['runs'] = [];
  let canaryScorer:
    { variant: Variant; trained: Awaited<ReturnType<typeof trainScorer>> } | undefined;
  for (const variant of o.variants) {
    if (variant === 'generic-semantic' && !o.generic) continue;
    if (variant === 'log-likelihood' && !agreement[variant as 'thought-space']) {
      o.log(
        `skipping ${VARIANT_LABELS[variant]}: provider ${o.source.provider} exposes no log-probabilities`,
      );
      continue;
    }
    const trained = await trainScorer({
      examples: await examplesFor(validPrepared, variant),
      shape,
      config: { seed: o.seed, ...o.scorerConfig },
      label: `train ${VARIANT_LABELS[variant]}`,
      silent: o.silent,
    });
    const testExamples = await examplesFor(testPrepared, variant);
    const logits = await scoreExamples(trained, testExamples);
    const run = runFromLogits(o.testSet, VARIANT_LABELS[variant], logits, o.resamples);
    runs.push({ variant, run });
    if (variant === 'thought-space') canaryScorer = { variant, trained };
    else await trained.trainer.dispose();
  }

  // Leakage canary: the same test cases with permuted labels, through the same test-time path.
  const canaryVariant = canaryScorer?.variant ?? 'no-reason';
  const trained =
    canaryScorer?.trained ??
    (await trainScorer({
      examples: await examplesFor(validPrepared, 'no-reason'),
      shape,
      silent: true,
    }));
  const permuted = permuteLabels(o.testSet, o.seed);
  const canaryPrepared = await prepareSplit(permuted, 'test');
  const canaryLogits = await scoreExamples(
    trained,
    await examplesFor(canaryPrepared, canaryVariant),
  );
  const canaryRun = runFromLogits(
    permuted,
    `canary: ${VARIANT_LABELS[canaryVariant]}, permuted labels`,
    canaryLogits,
    o.resamples,
  );
  await trained.trainer.dispose();
  await space.dispose();

  const itemsWithoutText = items.filter((it: Item) => !it.title && !it.description).length;
  return {
    runs,
    canary: { variant: canaryVariant, run: canaryRun, chance: 1 / shape.candidates },
    encoder: {
      trainedOn: phase.name,
      projection,
      pairs: split.train.length,
      heldOutPairs: split.heldOut.length,
      recallAfter: recallAfter.recallAt1,
      recallBefore: recallBefore.recallAt1,
      chance: recallAfter.chance,
      trainSeconds: space.summary.trainSeconds,
    },
    itemsWithoutText,
  };
}

export type { CaseReasons };
