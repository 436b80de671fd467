import { float32AtLeast, float32AtMost, rankBand, rankFromBand, selectTopK } from './select';

function pick(
  candidates: number[],
  exact: number[],
  k: number,
  bound: number,
  excluded = new Uint8Array(exact.length),
): number[] {
  const idx = new Int32Array(k).fill(-1);
  const n = selectTopK(
    candidates,
    exact.length,
    k,
    (i) => exact[i],
    bound,
    excluded,
    idx,
    new Float64Array(k),
    0,
  );
  return Array.from(idx.subarray(0, n));
}

describe('selectTopK', () => {
  it('scores every row when ties straddle the end of the TopK list', () => {
    // onnxruntime may list tied rows in any order: here 2 and 1, but not 0.
    expect(pick([2, 1], [5, 5, 5, 4], 1, 0)).toEqual([0]);
  });

  it('without scan, says the list is too short (-1) and writes nothing', () => {
    const idx = new Int32Array(1).fill(-1);
    const exact = [5, 5, 5, 4];
    const got = selectTopK(
      [2, 1],
      exact.length,
      1,
      (i) => exact[i],
      0,
      new Uint8Array(4),
      idx,
      new Float64Array(1),
      0,
      false,
    );
    expect(got).toBe(-1);
    expect(idx[0]).toBe(-1);
    // A list of every row decides without a scan.
    expect(
      selectTopK(
        [2, 1, 3, 0],
        4,
        1,
        (i) => exact[i],
        0,
        new Uint8Array(4),
        idx,
        new Float64Array(1),
        0,
        false,
      ),
    ).toBe(1);
    expect(idx[0]).toBe(0);
  });

  it('trusts the list when every row outside it is provably below the k-th', () => {
    // Row 1 is excluded, so the list must hold two eligible rows above the ceiling.
    expect(
      pick([1, 3, 2, 0], [1, 9, 7, 8, 0.5], 2, 0.01, Uint8Array.from([0, 1, 0, 0, 0])),
    ).toEqual([3, 2]);
  });

  it('falls back when the k-th listed score is within 2 bounds of the last listed', () => {
    // Row 4 (outside the list) is really 7.5: listed ceiling 7 + 2 x 0.3 reaches the k-th (7.2).
    expect(pick([3, 1, 2], [0, 7.2, 7, 9, 7.5], 2, 0.3)).toEqual([3, 4]);
  });

  it('breaks exact ties by index, whatever the list order', () => {
    expect(pick([2, 0, 1, 3], [3, 3, 3, 1], 2, 1e-6)).toEqual([0, 1]);
  });
});

describe('rankFromBand', () => {
  // Exact scores; the target is row 2 (score 5), band rows are those the engine could not call.
  const exact = [2, 5, 5, 7, 5, 9];
  const rank = (above: number, band: number[], excluded: number[]) => {
    const mask = new Uint8Array(exact.length);
    for (const i of excluded) mask[i] = 1;
    return rankFromBand(
      above,
      Int32Array.from([7, 7, ...band]),
      2,
      2 + band.length,
      2,
      5,
      (i) => exact[i],
      mask,
      excluded,
    );
  };

  it('adds band rows scoring at least the target, ties against it, the target itself never', () => {
    // Rows 3 and 5 are above the band; 1, 2 and 4 inside it (1 and 4 tie with the target).
    expect(rank(2, [1, 2, 4], [])).toBe(5);
  });

  it('takes excluded rows out whether they were counted above or sit in the band', () => {
    // Row 3 was counted in `above` (exactly above t); row 4 is in the band; row 0 is below.
    expect(rank(2, [1, 2, 4], [3, 4, 0])).toBe(3);
    // An excluded target is still not a competitor.
    expect(rank(2, [1, 2, 4], [2])).toBe(5);
  });
});

describe('rankBand', () => {
  it('rounds the limits outwards to float32 values', () => {
    const { hi, lo } = rankBand(0.1, 1, 1e-9);
    expect(Math.fround(hi)).toBe(hi);
    expect(Math.fround(lo)).toBe(lo);
    expect(hi).toBeGreaterThanOrEqual(0.1 + 1e-9);
    expect(lo).toBeLessThanOrEqual(0.1 - 1e-9);
  });

  it('scales the limits for cosine (scores are unscaled values times scale)', () => {
    const { hi, lo } = rankBand(0.5, 0.25, 1e-6);
    expect(hi * 0.25).toBeGreaterThanOrEqual(0.5 + 1e-6);
    expect(lo * 0.25).toBeLessThanOrEqual(0.5 - 1e-6);
    expect(hi * 0.25).toBeLessThan(0.5 + 2e-6);
  });

  it('float32AtLeast / float32AtMost give the nearest float32 on the right side', () => {
    for (const x of [0.1, -0.1, 1 / 3, -1e-30, 3e38, 1.5]) {
      const up = float32AtLeast(x);
      const down = float32AtMost(x);
      expect(up).toBeGreaterThanOrEqual(x);
      expect(down).toBeLessThanOrEqual(x);
      expect(Math.fround(up)).toBe(up);
      expect(Math.fround(down)).toBe(down);
      // Equal when x is a float32, else adjacent: their bit patterns differ by one.
      const bits = new Int32Array(Float32Array.from([up, down]).buffer);
      expect(Math.abs(bits[0] - bits[1])).toBe(up === down ? 0 : 1);
    }
    expect(float32AtLeast(1.5)).toBe(1.5);
    expect(float32AtMost(0)).toBe(0);
    expect(float32AtLeast(-0.1)).toBeGreaterThan(float32AtMost(-0.1));
  });
});
