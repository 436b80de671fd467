import { InvalidArgumentError } from '@thoughtspace/runtime';
import { Rng } from '@thoughtspace/engine';

/**
 * Item co-occurrence counted on TRAINING sequences only: pass the split's
 * training prefixes (`leaveOneOut(ds).train`), never whole sequences, so no
 * validation or test position contributes (the public ReaEmb code counts
 * test positions too). Two items co-occur when at most `window` positions
 * apart in one user's sequence; each such pair counts once per occurrence.
 */
export function coOccurrence(
  trainSequences: readonly ArrayLike<number>[],
  window: number,
): Map<number, Map<number, number>> {
  if (!Number.isInteger(window) || window < 1)
    throw new InvalidArgumentError(
      `coOccurrence: window must be a positive integer, got ${window}`,
    );
  const counts = new Map<number, Map<number, number>>();
  const bump = (a: number, b: number) => {
    let row = counts.get(a);
    if (!row) counts.set(a, (row = new Map()));
    row.set(b, (row.get(b) ?? 0) + 1);
  };
  for (const seq of trainSequences) {
    for (let i = 0; i < seq.length; i++) {
      for (let j = i + 1; j <= Math.min(seq.length - 1, i + window); j++) {
        if (seq[i] === seq[j]) continue;
        bump(seq[i], seq[j]);
        bump(seq[j], seq[i]);
      }
    }
  }
  return counts;
}

export interface CrrlGroup {
  anchor: number;
  /** The most co-occurring item (ties: smaller index). */
  positive: number;
  /** Items that never co-occur with the anchor in training. */
  negatives: number[];
}

/** For each anchor with a co-occurring item: its positive and `negatives` sampled (seeded) among non-co-occurring items. */
export function crrlGroups(options: {
  counts: ReadonlyMap<number, ReadonlyMap<number, number>>;
  numItems: number;
  negatives?: number;
  seed: number;
}): CrrlGroup[] {
  const k = options.negatives ?? 9;
  const rng = new Rng(options.seed);
  const groups: CrrlGroup[] = [];
  const anchors = [...options.counts.keys()].sort((a, b) => a - b);
  for (const anchor of anchors) {
    const row = options.counts.get(anchor) as ReadonlyMap<number, number>;
    let positive = -1;
    let best = 0;
    for (const [item, n] of row)
      if (n > best || (n === best && item < positive)) [positive, best] = [item, n];
    if (positive < 0 || options.numItems - row.size - 1 < k) continue;
    const negatives = new Set<number>();
    while (negatives.size < k) {
      const j = Math.floor(rng.uniform() * options.numItems);
      if (j !== anchor && !row.has(j)) negatives.add(j);
    }
    groups.push({ anchor, positive, negatives: [...negatives] });
  }
  return groups;
}

/** 0-based rank of the positive (`scores[0]`) among all scores: how many others score strictly higher. */
export function rankOfPositive(scores: ArrayLike<number>): number {
  let r = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[0]) r++;
  return r;
}

/** The collaborative reward of a thought whose embedding puts the positive at `rank` (0-based): 1 / (1 + log2(rank + 2)). */
export function crrlReward(rank: number): number {
  return 1 / (1 + Math.log2(rank + 2));
}

/** Group-relative advantages: (r - mean) / (population sd + eps); all zero when the group agrees. */
export function groupAdvantages(rewards: readonly number[], eps = 1e-6): number[] {
  const n = rewards.length;
  const mean = rewards.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / n);
  return rewards.map((r) => (sd < 1e-12 ? 0 : (r - mean) / (sd + eps)));
}
