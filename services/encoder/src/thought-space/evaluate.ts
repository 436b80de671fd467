import { bootstrapMean, type Interval } from '@thoughtspace/metrics';
import { createRng, InvalidArgumentError } from '@thoughtspace/runtime';
import type { TextEncoders } from './encode';
import type { ThoughtPair } from './train';

export interface RecallResult {
  /** Mean recall@1 with its 95% bootstrap interval over cases. */
  recallAt1: Interval;
  /** 1 / (negatives + 1). */
  chance: number;
  cases: number;
  negatives: number;
  /** Per case: 1 hit, 0 miss, 1/k for a k-way tie at the top. */
  perCase: Float64Array;
  /** Per case: the negatives' pair indices (for plots and audits). */
  negativeIndex: Int32Array[];
}

/**
 * Recall@1 of each pair's own rationale among itself and `negatives` other
 * pairs' rationales (other users, different text), ranked by the cosine of
 * E2(behaviour) and E1(rationale). Negatives are drawn with a seeded stream.
 */
export async function evaluateRecall(
  encoders: TextEncoders,
  pairs: readonly ThoughtPair[],
  options: { negatives?: number; seed?: number; resamples?: number } = {},
): Promise<RecallResult> {
  const k = options.negatives ?? 10;
  const seed = options.seed ?? 1;
  const negativeIndex = sampleNegatives(pairs, k, seed);
  const [behaviours, rationales] = await Promise.all([
    encoders.encodeBehaviours(pairs.map((p) => p.behaviour)),
    encoders.encodeRationales(pairs.map((p) => p.rationale)),
  ]);
  const perCase = new Float64Array(pairs.length);
  pairs.forEach((_, i) => {
    const own = dot(behaviours[i], rationales[i]);
    let above = 0;
    let ties = 0;
    for (const j of negativeIndex[i]) {
      const s = dot(behaviours[i], rationales[j]);
      if (s > own) above++;
      else if (s === own) ties++;
    }
    perCase[i] = above > 0 ? 0 : 1 / (1 + ties);
  });
  return {
    recallAt1: bootstrapMean(perCase, {
      seed: `encoder-recall|${seed}`,
      resamples: options.resamples,
    }),
    chance: 1 / (k + 1),
    cases: pairs.length,
    negatives: k,
    perCase,
    negativeIndex,
  };
}

/** For each pair, `k` distinct other pairs of other users whose rationale text differs. */
export function sampleNegatives(
  pairs: readonly ThoughtPair[],
  k: number,
  seed: number,
): Int32Array[] {
  const users = new Set(pairs.map((p) => p.user));
  if (users.size <= k) {
    throw new InvalidArgumentError(`evaluateRecall: need more than ${k} users, got ${users.size}`);
  }
  return pairs.map((p, i) => {
    const rng = createRng(`encoder-negatives|${seed}|${i}`);
    const picked = new Set<number>();
    const seenUsers = new Set([p.user]);
    const seenTexts = new Set([p.rationale]);
    for (let tries = 0; picked.size < k; tries++) {
      if (tries > 100 * pairs.length)
        throw new InvalidArgumentError(`evaluateRecall: cannot find ${k} negatives for pair ${i}`);
      const j = rng.int(pairs.length);
      const q = pairs[j];
      if (seenUsers.has(q.user) || seenTexts.has(q.rationale)) continue;
      picked.add(j);
      seenUsers.add(q.user);
      seenTexts.add(q.rationale);
    }
    return Int32Array.from(picked);
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
