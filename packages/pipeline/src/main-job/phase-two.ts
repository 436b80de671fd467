import type { ScorerRun } from '@thoughtspace/baselines';
import type { SasrecIndex } from '@thoughtspace/candidate-gen';
import {
  sequencesBefore,
  type Dataset,
  type EvaluationSet,
  type LeaveOneOut,
} from '@thoughtspace/data';
import type { MemoSpace } from '@thoughtspace/encoder';
import { rankOfTarget, reportFromRanks } from '@thoughtspace/metrics';
import {
  collaborativeFeatures,
  scorerExamples,
  trainScorer,
  type ScorerConfig,
  type ScorerExample,
} from '@thoughtspace/scorer';
import { historyEntries, renderBehaviourText } from '@thoughtspace/text';
import {
  buildTrees,
  leavesOf,
  selectAll,
  type AgreementFn,
  type CaseReasons,
  type Strategy,
  type TreeReasonSource,
} from '@thoughtspace/tot-selector';

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

/** Phase II inputs of one split: trees, E2 vectors of history + each candidate, collaborative features. */
export interface PreparedSplit {
  set: EvaluationSet;
  trees: CaseReasons[];
  collab: Float32Array[];
  withCandidate: Float32Array[];
}

export interface SplitContext {
  dataset: Dataset;
  loo: LeaveOneOut;
  sasrec: SasrecIndex;
  source: TreeReasonSource;
  memo: MemoSpace;
  branching: readonly number[];
  silent?: boolean;
}

/**
 * Stage: Phase II inputs for a split. Similar users come from the histories
 * visible at that split (never a neighbour's test item when evaluating test,
 * never a validation item when evaluating validation); trees never see the
 * case's target or candidates.
 */
export async function prepareSplit(
  c: SplitContext,
  set: EvaluationSet,
  which: 'valid' | 'test',
): Promise<PreparedSplit> {
  const { dataset } = c;
  const items = dataset.items;
  const pool = sequencesBefore(c.loo, which);
  const caseStates = await c.sasrec.userStates(set.cases.map((k) => k.history));
  const poolStates = await c.sasrec.userStates(pool);
  const similar = await c.sasrec.similarUsersItems({
    queries: set.cases.map((k) => ({ user: k.user, history: k.history })),
    queryStates: caseStates,
    pool,
    poolStates,
    neighbours: 5,
    itemsPerUser: 2,
  });
  const histories = set.cases.map((k) => historyEntries(dataset, k.user, k.history));
  const trees = await buildTrees({
    cases: histories.map((history, i) => ({
      history,
      similarItems: similar[i].items.map((item) => items[item]),
    })),
    source: c.source,
    branching: c.branching,
    render: (history) => renderBehaviourText(history),
    label: `reasons (${which})`,
    silent: c.silent,
  });
  // Warm the memo with every leaf and behaviour in large batches before per-case selection.
  await c.memo.encodeRationales(trees.flatMap((t) => leavesOf(t.nodes).map((n) => n.reason)));
  await c.memo.encodeBehaviours(trees.map((t) => t.behaviour));
  const sasrecScores = set.cases.map((_, i) =>
    c.sasrec.scores(caseStates, i, set.candidates[i].items),
  );
  const collab = collaborativeFeatures({
    set,
    fit: { sequences: pool, numItems: items.length },
    sasrecScores,
  });
  const withCandidate = await c.memo.encodeBehaviours(
    histories.flatMap((history, i) =>
      Array.from(set.candidates[i].items, (item) => renderBehaviourText(history, items[item])),
    ),
  );
  return { set, trees, collab, withCandidate };
}

/** Stage: scorer examples of a prepared split under one variant (selection, then features). */
export async function examplesFor(o: {
  prepared: PreparedSplit;
  variant: Variant;
  dataset: Dataset;
  sasrec: SasrecIndex;
  memo: MemoSpace;
  seed: number;
  agreement: Partial<Record<'thought-space' | 'generic-semantic', AgreementFn>>;
}): Promise<ScorerExample[]> {
  const { set, trees, collab, withCandidate } = o.prepared;
  const reasons =
    o.variant === 'no-reason'
      ? undefined
      : await selectAll({
          trees,
          strategy: o.variant,
          seed: o.seed,
          users: set.cases.map((c) => o.dataset.userIds[c.user]),
          agreement: o.agreement,
        });
  const reasonVectors = reasons ? await o.memo.encodeRationales(reasons) : undefined;
  return scorerExamples({
    candidates: set.candidates,
    collaborative: collab,
    withCandidate,
    reasons: reasonVectors,
    itemRows: (items) => o.sasrec.itemRows(items),
  });
}

/** Ranks and metrics of scored test cases against the set's labels. */
export function runFromLogits(
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

/** Stage: train the scorer for one variant on validation examples. */
export async function trainVariant(o: {
  examples: ScorerExample[];
  shape: { candidates: number; features: number; reasonDim: number; itemDim: number };
  seed: number;
  config?: Partial<ScorerConfig>;
  label: string;
  silent?: boolean;
}) {
  return trainScorer({
    examples: o.examples,
    shape: o.shape,
    config: { seed: o.seed, ...o.config },
    label: o.label,
    silent: o.silent,
  });
}
