import type { SasrecIndex } from '@thoughtspace/candidate-gen';
import type { EvaluationSet } from '@thoughtspace/data';
import type { MemoSpace } from '@thoughtspace/encoder';
import { rankOfTarget } from '@thoughtspace/metrics';
import { createRng } from '@thoughtspace/runtime';
import type { ScorerExample } from '@thoughtspace/scorer';
import { examplesWithReasons, ranksWithReasons, type PreparedSplit } from './phase-two';

/** A prepared split of `n` cases with 2..4 candidates each, random features and reason texts. */
function split(n: number) {
  const rng = createRng(7);
  const vec = (d: number) => Float32Array.from({ length: d }, () => rng.next() - 0.5);
  const candidates = Array.from({ length: n }, (_, i) => {
    const items = Int32Array.from({ length: 2 + (i % 3) }, (_, k) => (i * 5 + k) % 11);
    return { items, targetIndex: i % items.length };
  });
  const prepared = {
    set: { candidates, cases: candidates.map(() => ({})) } as unknown as EvaluationSet,
    trees: [],
    collab: candidates.map((c) => vec(c.items.length * 3)),
    behaviour: [],
    withCandidate: candidates.flatMap((c) => Array.from(c.items, () => vec(4))),
    similarItems: [],
  } as PreparedSplit;
  const reasons = candidates.map((_, i) => `reason ${i % 4}`);
  const texts: Record<string, Float32Array> = {};
  const memo = {
    encodeRationales: async (ts: string[]) => ts.map((t) => (texts[t] ??= vec(4))),
  } as unknown as MemoSpace;
  const sasrec = {
    itemRows: (items: ArrayLike<number>) => Float32Array.from(items, (x) => x / 10),
  } as unknown as SasrecIndex;
  // A deterministic stand-in for a trained scorer: a fixed linear map of the example.
  const score = async (xs: ScorerExample[]) =>
    xs.map((x) =>
      Float32Array.from(x.items, (item, k) => item + x.features[k * 4] - x.features[k * 4 + 3]),
    );
  return { prepared, reasons, memo, sasrec, score };
}

describe('ranksWithReasons', () => {
  it('ranks every case as scoring the whole split at once does, across chunk borders', async () => {
    const o = split(5000);
    const whole = await o.score(await examplesWithReasons(o));
    const expected = whole.map((l, i) => rankOfTarget(l, o.prepared.set.candidates[i].targetIndex));
    const ranks = await ranksWithReasons(o);
    expect(Array.from(ranks)).toEqual(expected);
    // Not a constant: the reasons change the ranks.
    const without = await ranksWithReasons({ ...o, reasons: undefined });
    expect(Array.from(without)).not.toEqual(expected);
  });

  it('builds the examples of a range with that range of the case-major candidate vectors', async () => {
    const o = split(10);
    const all = await examplesWithReasons(o);
    const some = await examplesWithReasons({ ...o, range: [4, 7] });
    expect(some.map((x) => Array.from(x.features))).toEqual(
      all.slice(4, 7).map((x) => Array.from(x.features)),
    );
  });
});
