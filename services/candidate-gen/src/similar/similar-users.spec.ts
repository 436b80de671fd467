import { itemsOfSimilarUsers, nearestUsers, recentItems } from './similar-users';

describe('nearestUsers', () => {
  // Pool rows (dim 2): 0 and 2 point the same way (a tie), 1 is orthogonal, 3 opposite, 4 is zero.
  const pool = Float32Array.from([1, 0, 0, 1, 2, 0, -1, 0, 0, 0]);

  it('ranks by cosine desc, ties by user index asc, and honours k', async () => {
    const [ranked] = await nearestUsers({ queries: Float32Array.from([3, 0]), pool, dim: 2, k: 4 });
    expect(ranked.map((n) => n.user)).toEqual([0, 2, 1, 4]);
    expect(ranked[0].score).toBeCloseTo(1, 12);
    expect(ranked[1].score).toBeCloseTo(1, 12);
    expect(ranked[2].score).toBe(0);
    const [two] = await nearestUsers({ queries: Float32Array.from([3, 0]), pool, dim: 2, k: 2 });
    expect(two.map((n) => n.user)).toEqual([0, 2]);
  });

  it('never returns the excluded row of each query', async () => {
    const ranked = await nearestUsers({
      queries: Float32Array.from([1, 0, 0, 1]),
      pool,
      dim: 2,
      k: 2,
      exclude: [0, -1],
    });
    expect(ranked[0].map((n) => n.user)).toEqual([2, 1]);
    expect(ranked[1].map((n) => n.user)).toEqual([1, 0]);
  });

  it('matches a brute-force full sort on many random rows', async () => {
    let s = 7;
    const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const d = 8;
    const big = Float32Array.from({ length: 300 * d }, rand);
    const q = Float32Array.from({ length: 3 * d }, rand);
    const got = await nearestUsers({ queries: q, pool: big, dim: d, k: 10 });
    for (let i = 0; i < 3; i++) {
      const cos = Array.from({ length: 300 }, (_, u) => {
        let dot = 0;
        let a = 0;
        let b = 0;
        for (let j = 0; j < d; j++) {
          dot += q[i * d + j] * big[u * d + j];
          a += q[i * d + j] ** 2;
          b += big[u * d + j] ** 2;
        }
        return { u, c: dot / Math.sqrt(a * b) };
      }).sort((x, y) => y.c - x.c || x.u - y.u);
      expect(got[i].map((n) => n.user)).toEqual(cos.slice(0, 10).map((x) => x.u));
    }
  });

  it('rejects a bad k or mismatched shapes naming the field', async () => {
    await expect(
      nearestUsers({ queries: new Float32Array(2), pool, dim: 2, k: 0 }),
    ).rejects.toThrow(/^k:/);
    await expect(
      nearestUsers({ queries: new Float32Array(3), pool, dim: 2, k: 1 }),
    ).rejects.toThrow(/queries\/pool/);
    await expect(
      nearestUsers({ queries: new Float32Array(2), pool, dim: 2, k: 1, exclude: [1, 2] }),
    ).rejects.toThrow(/exclude/);
  });
});

describe('recent items of similar users', () => {
  it('recentItems: newest first, at most count, skipping what it is told', () => {
    expect(recentItems([1, 2, 3, 4], 2)).toEqual([4, 3]);
    expect(recentItems([1, 2, 3, 4], 9)).toEqual([4, 3, 2, 1]);
    expect(recentItems([1, 2, 3, 4], 2, new Set([4]))).toEqual([3, 2]);
    expect(recentItems([1, 2], 0)).toEqual([]);
  });

  it('itemsOfSimilarUsers: in neighbour order, never own items, never twice', () => {
    const histories = [Int32Array.from([10, 11, 12]), Int32Array.from([12, 13, 14])];
    const items = itemsOfSimilarUsers({
      neighbours: [
        { user: 1, score: 0.9 },
        { user: 0, score: 0.5 },
      ],
      histories,
      own: [14],
      itemsPerUser: 2,
    });
    expect(items).toEqual([13, 12, 11, 10]);
  });
});
