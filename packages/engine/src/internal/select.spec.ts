import { rankInRow, selectTopK } from './select';

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

describe('rankInRow', () => {
  it('counts rows above, rescores the band, and skips the target and excluded rows', () => {
    // Exact scores [2, 5, 5, 7, 5]; approximations off by 1e-6; target row 2 (score 5).
    const exact = [2, 5, 5, 7, 5];
    const approx = Float32Array.from([2, 5.000001, 5, 7, 4.999999]);
    const rank = (excluded: Uint8Array, unique: number[]) =>
      rankInRow(approx, 0, 5, 1, 2, 5, (i) => exact[i], 1e-5, excluded, unique);
    expect(rank(Uint8Array.from([0, 0, 0, 1, 0]), [3])).toBe(3);
    expect(rank(new Uint8Array(5), [])).toBe(4);
  });

  it('compares scaled scores (cosine) against the exact target', () => {
    // Unscaled values 10, 20, 30 with scale 0.1 approximate 1, 2, 3; target row 1 (score 2).
    const data = Float32Array.from([10, 20, 30]);
    expect(rankInRow(data, 0, 3, 0.1, 1, 2, (i) => [1, 2, 3][i], 1e-9, new Uint8Array(3), [])).toBe(
      2,
    );
  });
});
