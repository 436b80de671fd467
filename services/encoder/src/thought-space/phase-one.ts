import type { Dataset, Item, LeaveOneOut } from '@thoughtspace/data';
import { historyEntries, type HistoryEntry } from '@thoughtspace/text';
import type { ThoughtSpaceConfig } from './config';
import { evaluateRecall, type RecallResult } from './evaluate';
import { projectionSample, type ProjectionSample } from './projection';
import { splitByUser, ThoughtSpace, type ThoughtPair } from './train';

/**
 * Phase I's training pairs: for every user's last training item (a training
 * target, never a validation or test item), the behaviour text of the history
 * before it with the item, and a positive rationale written for it. Users with
 * fewer than two training items give no pair.
 */
export async function positiveRationalePairs(o: {
  dataset: Dataset;
  loo: LeaveOneOut;
  /** E2's behaviour text: history plus the item being explained. */
  render: (history: HistoryEntry[], target: Item) => string;
  /** Why the user chose `target` (rationale-gen's positive rationale). */
  positive: (history: HistoryEntry[], target: Item) => Promise<string>;
}): Promise<ThoughtPair[]> {
  const pairs: ThoughtPair[] = [];
  for (let u = 0; u < o.loo.train.length; u++) {
    const train = o.loo.train[u];
    if (train.length < 2) continue;
    const history = historyEntries(o.dataset, u, train.subarray(0, train.length - 1));
    const target = o.dataset.items[train[train.length - 1]];
    pairs.push({
      user: o.dataset.userIds[u],
      behaviour: o.render(history, target),
      rationale: await o.positive(history, target),
    });
  }
  return pairs;
}

export interface PhaseOneResult {
  /** The trained Thought Space; the caller disposes it. */
  space: ThoughtSpace;
  train: ThoughtPair[];
  heldOut: ThoughtPair[];
  /** Recall@1 of the own rationale among 11 on held-out users, before and after training. */
  recallBefore: RecallResult;
  recallAfter: RecallResult;
  /** Held-out behaviours/positives/negatives for the before/after projection plot. */
  sampleBefore: ProjectionSample;
  sampleAfter: ProjectionSample;
}

/**
 * Phase I of the method, once for the main job and the encoder experiment:
 * split pairs by user, measure held-out recall of the untrained towers, train
 * (InfoNCE), measure again, and draw the projection samples.
 * `trainPairs`, when given, replaces the split's training side (e.g. every
 * position of the non-held-out users).
 */
export async function runPhaseOne(o: {
  pairs: readonly ThoughtPair[];
  heldOutFraction: number;
  seed: number;
  config?: Partial<ThoughtSpaceConfig>;
  trainPairs?: (heldOutUsers: Set<string>) => ThoughtPair[];
  plotPairs?: number;
  silent?: boolean;
  log?: (line: string) => void;
}): Promise<PhaseOneResult> {
  const split = splitByUser(o.pairs, o.heldOutFraction, o.seed);
  const heldOut = split.heldOut;
  const train = o.trainPairs ? o.trainPairs(new Set(heldOut.map((p) => p.user))) : split.train;
  const space = await ThoughtSpace.create({ pairs: train, config: { ...o.config, seed: o.seed } });
  try {
    const recallBefore = await evaluateRecall(space, heldOut, { seed: o.seed });
    const sampleBefore = await projectionSample(
      space,
      heldOut,
      recallBefore.negativeIndex,
      o.plotPairs,
    );
    await space.fit({ pairs: train, silent: o.silent, log: o.log });
    const recallAfter = await evaluateRecall(space, heldOut, { seed: o.seed });
    const sampleAfter = await projectionSample(
      space,
      heldOut,
      recallAfter.negativeIndex,
      o.plotPairs,
    );
    return { space, train, heldOut, recallBefore, recallAfter, sampleBefore, sampleAfter };
  } catch (err) {
    await space.dispose();
    throw err;
  }
}
