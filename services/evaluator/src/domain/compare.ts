import {
  compareRanks,
  mean,
  METRICS,
  perCase,
  type Interval,
  type MetricName,
} from '@thoughtspace/metrics';
import { InvalidArgumentError } from '@thoughtspace/runtime';

/** One side of a comparison: per-user ranks of the true item. */
export interface RankedSide {
  /** The request field it came from ("challenger", "champion"), for errors. */
  field: string;
  /** What the caller calls it (a model version), for errors; may be empty. */
  name: string;
  users: readonly string[];
  ranks: readonly number[];
  /** Predictions skipped as malformed while building this side. */
  malformed: number;
  /** The first few rejections, `where: reason`. */
  samples?: readonly string[];
}

export interface MetricDelta {
  name: MetricName;
  challengerMean: number;
  championMean: number;
  /** challenger - champion, with its paired bootstrap interval. */
  delta: Interval;
  /** Two-sided p-value of the paired randomization (sign-flip) test. */
  pValue: number;
}

export interface Comparison {
  deltas: MetricDelta[];
  users: number;
  resamples: number;
  permutations: number;
  confidence: number;
  challengerMalformed: number;
  championMalformed: number;
}

const MAX_LISTED = 3;

function label(side: RankedSide): string {
  return side.name ? `${side.field} (${side.name})` : side.field;
}

/** Validate inline ranks: same lengths, positive integers, each user once. */
export function sideFromRanks(
  field: string,
  name: string,
  userIds: readonly string[],
  ranks: readonly number[],
): RankedSide {
  if (userIds.length !== ranks.length) {
    throw new InvalidArgumentError(
      `${field}.ranks: user_ids has ${userIds.length} entries but ranks has ${ranks.length}`,
    );
  }
  const seen = new Set<string>();
  userIds.forEach((u, i) => {
    if (!u) throw new InvalidArgumentError(`${field}.ranks.user_ids[${i}] is empty`);
    if (seen.has(u)) {
      throw new InvalidArgumentError(
        `${field}.ranks.user_ids[${i}]: user ${u.slice(0, 40)} appears more than once`,
      );
    }
    seen.add(u);
    if (!Number.isInteger(ranks[i]) || ranks[i] < 1) {
      throw new InvalidArgumentError(
        `${field}.ranks.ranks[${i}] must be an integer >= 1, got ${ranks[i]}`,
      );
    }
  });
  return { field, name, users: userIds, ranks, malformed: 0 };
}

/**
 * Paired comparison of challenger vs champion on every metric, over exactly
 * the same users: a user ranked by one side only is an error (naming both
 * sides and a few of the users), never silently dropped, since a comparison
 * on different users is not paired. Cases are aligned in user-id order, so
 * the result does not depend on the order the predictions came in.
 */
export function comparePaired(
  challenger: RankedSide,
  champion: RankedSide,
  o: { resamples: number; permutations: number; seed: number },
): Comparison {
  for (const side of [challenger, champion]) {
    if (side.users.length === 0) {
      throw new InvalidArgumentError(
        `${label(side)}: no usable predictions (${side.malformed} malformed${side.samples?.length ? `: ${side.samples.join('; ')}` : ''})`,
      );
    }
  }
  const champ = new Map(champion.users.map((u, i) => [u, champion.ranks[i]]));
  const onlyChallenger = challenger.users.filter((u) => !champ.has(u));
  const chall = new Map(challenger.users.map((u, i) => [u, challenger.ranks[i]]));
  const onlyChampion = champion.users.filter((u) => !chall.has(u));
  if (onlyChallenger.length > 0 || onlyChampion.length > 0) {
    const list = (users: string[]) =>
      users.length === 0
        ? '0'
        : `${users.length} (e.g. ${users
            .slice(0, MAX_LISTED)
            .map((u) => u.slice(0, 40))
            .join(', ')})`;
    throw new InvalidArgumentError(
      `challenger and champion must rank the same users: ${list(onlyChallenger)} only in ${label(challenger)}, ${list(onlyChampion)} only in ${label(champion)}`,
    );
  }
  const users = [...challenger.users].sort();
  const a = Int32Array.from(users, (u) => chall.get(u) as number);
  const b = Int32Array.from(users, (u) => champ.get(u) as number);
  const tests = compareRanks(a, b, {
    seed: o.seed,
    resamples: o.resamples,
    permutations: o.permutations,
  });
  return {
    deltas: METRICS.map((m) => ({
      name: m,
      challengerMean: mean(perCase(m, a)),
      championMean: mean(perCase(m, b)),
      delta: tests[m].difference,
      pValue: tests[m].pValue,
    })),
    users: users.length,
    resamples: o.resamples,
    permutations: o.permutations,
    confidence: 0.95,
    challengerMalformed: challenger.malformed,
    championMalformed: champion.malformed,
  };
}
