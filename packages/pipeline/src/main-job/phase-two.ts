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
import { cosine, createRng } from '@thoughtspace/runtime';
import {
  agreementText,
  collaborativeFeatures,
  scorerExamples,
  trainScorer,
  type AgreementFeature,
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

/**
 * Controls that separate what a reason adds from the channels it arrives by:
 * `control-channels` is the no-reason scorer given the same kind of side
 * information without any reason text (how often the candidate is among the
 * neighbours' items, and cos(E2(history), E2(history + candidate)));
 * `control-other-user` gives each user another user's base reason;
 * `control-neighbours` gives a reason that only lists the neighbours' items.
 */
export type Control = 'control-channels' | 'control-other-user' | 'control-neighbours';
export const CONTROLS: Control[] = ['control-channels', 'control-other-user', 'control-neighbours'];

/** The rows the reasoning stages add to the main table. */
export type Variant = 'no-reason' | Strategy | Control;
export const VARIANT_LABELS: Record<Variant, string> = {
  'no-reason': 'scorer, no reason',
  'control-channels': 'control: no reason, matched channels',
  'control-other-user': "control: another user's reason",
  'control-neighbours': "control: reason listing neighbours' items only",
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
  /** E2 of each case's history alone (the behaviour text of its tree). */
  behaviour: Float32Array[];
  /** The similar users' items each case's base reason may name (item indices). */
  similarItems: Int32Array[];
}

export interface SplitContext {
  dataset: Dataset;
  loo: LeaveOneOut;
  sasrec: SasrecIndex;
  source: TreeReasonSource;
  memo: MemoSpace;
  branching: readonly number[];
  /** The scorer's last feature: E1(reason) against E2 of history + candidate (default) or of the candidate alone. */
  agreement?: AgreementFeature;
  silent?: boolean;
}

/**
 * Most users the similar-user search looks among. The exact search costs
 * O(cases x pool); with the pool bounded it is linear in users
 * (docs/scale.md). Datasets up to this size search every user, as before.
 */
export const NEIGHBOUR_POOL = 50_000;

/**
 * The users the similar-user search looks among: all of them up to
 * `max`, else a seeded sample of `max` (the same for every split), in user
 * order. Returns the pool's users and each user's position in it (-1: not
 * in the pool).
 */
export function neighbourPool(users: number, max = NEIGHBOUR_POOL) {
  const position = new Int32Array(users).fill(-1);
  if (users <= max) {
    const all = Int32Array.from({ length: users }, (_, i) => i);
    all.forEach((u) => (position[u] = u));
    return { members: all, position };
  }
  const rng = createRng(`neighbour-pool|${users}|${max}`);
  const order = Int32Array.from({ length: users }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(users - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const members = order.slice(0, max).sort();
  members.forEach((u, i) => (position[u] = i));
  return { members, position };
}

/**
 * Similar users and the reason tree of each case of a split (pools from the
 * histories visible at that split; the case's target and candidates unseen).
 */
async function treesOf(
  c: Omit<SplitContext, 'memo'>,
  set: Pick<EvaluationSet, 'cases'>,
  which: 'valid' | 'test',
) {
  const { dataset } = c;
  const items = dataset.items;
  const visible = sequencesBefore(c.loo, which);
  const { members, position } = neighbourPool(visible.length);
  const pool = Array.from(members, (u) => visible[u]);
  const caseStates = await c.sasrec.userStates(set.cases.map((k) => k.history));
  const poolStates = await c.sasrec.userStates(pool);
  const similar = await c.sasrec.similarUsersItems({
    // `user` is the case's position in the pool (-1: not in it), the row never returned for it.
    queries: set.cases.map((k) => ({ user: position[k.user], history: k.history })),
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
  return { pool: visible, caseStates, similar, histories, trees };
}

/** Leaf texts of the trees of the first `n` cases of a split (to size the E1 window). */
export async function sampleLeaves(
  c: Omit<SplitContext, 'memo'>,
  set: Pick<EvaluationSet, 'cases'>,
  which: 'valid' | 'test',
  n: number,
): Promise<string[]> {
  const { trees } = await treesOf(c, { cases: set.cases.slice(0, n) }, which);
  return trees.flatMap((t) => leavesOf(t.nodes).map((node) => node.reason));
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
  const { pool, caseStates, similar, histories, trees } = await treesOf(c, set, which);
  // Warm the memo with every leaf and behaviour in large batches before per-case selection.
  await c.memo.encodeRationales(trees.flatMap((t) => leavesOf(t.nodes).map((n) => n.reason)));
  const behaviour = await c.memo.encodeBehaviours(trees.map((t) => t.behaviour));
  const sasrecScores = set.cases.map((_, i) =>
    c.sasrec.scores(caseStates, i, set.candidates[i].items),
  );
  const collab = collaborativeFeatures({
    set,
    fit: { sequences: pool, numItems: items.length },
    sasrecScores,
  });
  const agreement = c.agreement ?? 'history-candidate';
  const withCandidate = await c.memo.encodeBehaviours(
    histories.flatMap((history, i) =>
      Array.from(set.candidates[i].items, (item) =>
        agreementText({ agreement, history, candidate: items[item], maxItems: 20 }),
      ),
    ),
  );
  const similarItems = similar.map((s) => Int32Array.from(s.items));
  return { set, trees, collab, withCandidate, behaviour, similarItems };
}

/** The text of the neighbours-only control: the similar users' items, nothing else. */
export function neighboursOnlyReason(dataset: Dataset, items: ArrayLike<number>): string {
  const titles = [...new Set(Array.from(items))].map(
    (i) => `"${dataset.items[i].title ?? dataset.itemIds[i]}"`,
  );
  if (titles.length === 0) return 'Users with similar histories bought nothing else.';
  const list =
    titles.length === 1 ? titles[0] : `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}`;
  return `Users with similar histories also bought ${list}.`;
}

/**
 * Seeded rotation of the cases by an offset in [1, n): every case gets
 * another case's value (a derangement when n > 1).
 */
export function otherCase<T>(values: readonly T[], seed: number, tag: string): T[] {
  const n = values.length;
  if (n < 2) return [...values];
  const offset = 1 + createRng(`other-user|${tag}|${seed}`).int(n - 1);
  return values.map((_, i) => values[(i + offset) % n]);
}

/**
 * Per-candidate features of the channels control: the collaborative
 * features, how many times the candidate is among the neighbours' items,
 * and cos(E2(history), E2(history + candidate)). No reason.
 */
export function channelFeatures(prepared: PreparedSplit): Float32Array[] {
  const C0 = 3;
  const F = C0 + 2;
  let offset = 0;
  return prepared.set.candidates.map((cand, i) => {
    const C = cand.items.length;
    const out = new Float32Array(C * F);
    const neighbours = prepared.similarItems[i];
    for (let k = 0; k < C; k++) {
      out.set(prepared.collab[i].subarray(k * C0, (k + 1) * C0), k * F);
      let count = 0;
      for (const x of neighbours) if (x === cand.items[k]) count++;
      out[k * F + C0] = count;
      out[k * F + C0 + 1] = cosine(prepared.behaviour[i], prepared.withCandidate[offset + k]);
    }
    offset += C;
    return out;
  });
}

/** Stage: scorer examples of a prepared split under one variant (selection, then features). */
export async function examplesFor(o: {
  prepared: PreparedSplit;
  variant: Variant;
  dataset: Dataset;
  sasrec: SasrecIndex;
  memo: MemoSpace;
  seed: number;
  agreement: Partial<Record<'thought-space' | 'generic-semantic' | 'log-likelihood', AgreementFn>>;
}): Promise<ScorerExample[]> {
  const { set } = o.prepared;
  if (o.variant === 'control-channels') {
    const features = channelFeatures(o.prepared);
    return set.candidates.map((cand, i) => ({
      features: features[i],
      items: o.sasrec.itemRows(cand.items),
      reason: null,
      label: cand.targetIndex,
    }));
  }
  return examplesWithReasons({ ...o, reasons: await variantReasons({ ...o, variant: o.variant }) });
}

/** The reason of every case under a reason-giving variant (undefined for `no-reason`). */
export async function variantReasons(o: {
  prepared: PreparedSplit;
  variant: Exclude<Variant, 'control-channels'>;
  dataset: Dataset;
  seed: number;
  agreement: Partial<Record<'thought-space' | 'generic-semantic' | 'log-likelihood', AgreementFn>>;
}): Promise<string[] | undefined> {
  const { set, trees } = o.prepared;
  const select = (strategy: Strategy) =>
    selectAll({
      trees,
      strategy,
      seed: o.seed,
      users: set.cases.map((c) => o.dataset.userIds[c.user]),
      agreement: o.agreement,
    });
  if (o.variant === 'no-reason') return undefined;
  if (o.variant === 'control-other-user')
    return otherCase(await select('base-only'), o.seed, set.split);
  if (o.variant === 'control-neighbours')
    return o.prepared.similarItems.map((items) => neighboursOnlyReason(o.dataset, items));
  return select(o.variant);
}

/**
 * Scorer examples of a prepared split with the given reason per case
 * (undefined: no reason); of cases [start, end) only when a range is given.
 */
export async function examplesWithReasons(o: {
  prepared: PreparedSplit;
  reasons: readonly string[] | undefined;
  sasrec: SasrecIndex;
  memo: MemoSpace;
  range?: readonly [start: number, end: number];
}): Promise<ScorerExample[]> {
  const { set, collab, withCandidate } = o.prepared;
  const [start, end] = o.range ?? [0, set.candidates.length];
  const candidates = set.candidates.slice(start, end);
  // withCandidate is case-major over every case's candidates.
  let first = 0;
  for (let i = 0; i < start; i++) first += set.candidates[i].items.length;
  const width = candidates.reduce((a, c) => a + c.items.length, 0);
  const reasons = o.reasons?.slice(start, end);
  return scorerExamples({
    candidates,
    collaborative: collab.slice(start, end),
    withCandidate: withCandidate.slice(first, first + width),
    reasons: reasons ? await o.memo.encodeRationales(reasons) : undefined,
    itemRows: (items) => o.sasrec.itemRows(items),
  });
}

/**
 * Cases scored at once by ranksWithReasons: bounds its memory whatever the
 * split's size. A multiple of scoreExamples' batch (512), so the scorer sees
 * the same batches as when the whole split is scored at once.
 */
const RANK_CHUNK = 2048;

/**
 * The rank of the true item of every case with the given reason per case,
 * built and scored RANK_CHUNK cases at a time: the examples (candidate item
 * rows included) of a whole large split never live at once, so time and
 * memory grow linearly with the cases.
 */
export async function ranksWithReasons(o: {
  prepared: PreparedSplit;
  reasons: readonly string[] | undefined;
  score: (examples: ScorerExample[]) => Promise<Float32Array[]>;
  sasrec: SasrecIndex;
  memo: MemoSpace;
}): Promise<Int32Array> {
  const { candidates } = o.prepared.set;
  const ranks = new Int32Array(candidates.length);
  for (let start = 0; start < candidates.length; start += RANK_CHUNK) {
    const end = Math.min(candidates.length, start + RANK_CHUNK);
    const logits = await o.score(await examplesWithReasons({ ...o, range: [start, end] }));
    logits.forEach((l, i) => {
      ranks[start + i] = rankOfTarget(l, candidates[start + i].targetIndex);
    });
  }
  return ranks;
}

/**
 * The oracle-leaf upper bound: each case scored with each of its tree's
 * leaves by a trained scorer, keeping the leaf that ranks the true item best
 * (hindsight, so only on validation). Returns per-case ranks of the oracle
 * and of every leaf position.
 */
export async function oracleLeafRanks(o: {
  prepared: PreparedSplit;
  score: (examples: ScorerExample[]) => Promise<Float32Array[]>;
  sasrec: SasrecIndex;
  memo: MemoSpace;
}): Promise<{ oracle: Int32Array; leaves: number }> {
  const { set, trees } = o.prepared;
  const leafLists = trees.map((t) => leavesOf(t.nodes).map((n) => n.reason));
  // A loop, not Math.max(...): one call argument per case overflows the stack past ~125k cases.
  const leaves = leafLists.reduce((most, l) => Math.max(most, l.length), 0);
  const oracle = new Int32Array(set.cases.length).fill(Number.MAX_SAFE_INTEGER >>> 1);
  for (let j = 0; j < leaves; j++) {
    const reasons = leafLists.map((l) => l[Math.min(j, l.length - 1)]);
    const ranks = await ranksWithReasons({ ...o, reasons });
    for (let i = 0; i < ranks.length; i++) oracle[i] = Math.min(oracle[i], ranks[i]);
  }
  return { oracle, leaves };
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

/** How different the leaves of one tree are, averaged over the trees of a split. */
export interface LeafDiversity {
  trees: number;
  leavesPerTree: number;
  /** Mean over trees of the mean pairwise cosine of the leaves' E1 vectors (1 = identical). */
  meanPairwiseE1Cosine: number;
  /**
   * Mean over trees of the share of leaves whose own refinement (the text a
   * leaf adds to its parent, "Refined for X:" label removed) is distinct
   * within the tree: 1 = every leaf argues from different evidence.
   */
  distinctEvidenceShare: number;
}

export async function leafDiversity(
  trees: readonly CaseReasons[],
  memo: MemoSpace,
): Promise<LeafDiversity> {
  let cosSum = 0;
  let cosTrees = 0;
  let distinctSum = 0;
  let leavesTotal = 0;
  for (const t of trees) {
    const leaves = leavesOf(t.nodes);
    leavesTotal += leaves.length;
    const own = leaves.map((leaf) => {
      const parent = leaf.parent === null ? '' : (t.nodes[leaf.parent]?.reason ?? '');
      const added =
        parent && leaf.reason.startsWith(parent) ? leaf.reason.slice(parent.length) : leaf.reason;
      return added.replace(/^\s*Refined for [^:]*:\s*/, '').trim();
    });
    distinctSum += new Set(own).size / Math.max(1, leaves.length);
    if (leaves.length < 2) continue;
    const vectors = await memo.encodeRationales(leaves.map((l) => l.reason));
    let sum = 0;
    let pairs = 0;
    for (let a = 0; a < vectors.length; a++)
      for (let b = a + 1; b < vectors.length; b++) {
        sum += cosine(vectors[a], vectors[b]);
        pairs++;
      }
    cosSum += sum / pairs;
    cosTrees++;
  }
  return {
    trees: trees.length,
    leavesPerTree: trees.length ? leavesTotal / trees.length : 0,
    meanPairwiseE1Cosine: cosTrees ? cosSum / cosTrees : Number.NaN,
    distinctEvidenceShare: trees.length ? distinctSum / trees.length : Number.NaN,
  };
}
