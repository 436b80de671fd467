import { rankOfTarget } from './rank';
import { hitAt, ndcgAt, reciprocalRank } from './metrics';

describe('rankOfTarget', () => {
  it('ranks by descending score', () => {
    expect(rankOfTarget([0.1, 0.9, 0.5], 1)).toBe(1);
    expect(rankOfTarget([0.1, 0.9, 0.5], 2)).toBe(2);
    expect(rankOfTarget([0.1, 0.9, 0.5], 0)).toBe(3);
  });

  it('counts ties against the ground truth', () => {
    // All equal: the truth is ranked last, whatever its position.
    expect(rankOfTarget([1, 1, 1, 1], 0)).toBe(4);
    expect(rankOfTarget([1, 1, 1, 1], 3)).toBe(4);
    // One tie above a lower score.
    expect(rankOfTarget([2, 5, 5, 1], 1)).toBe(2);
  });

  it('rejects NaN scores and a bad target index', () => {
    expect(() => rankOfTarget([1, NaN], 0)).toThrow(/index 1 is NaN/);
    expect(() => rankOfTarget([NaN, 1], 0)).toThrow(/ground truth/);
    expect(() => rankOfTarget([1, 2], 2)).toThrow(/outside/);
  });
});

describe('metrics on hand-computed ranks', () => {
  it('HR, NDCG and MRR', () => {
    expect(hitAt(1, 1)).toBe(1);
    expect(hitAt(2, 1)).toBe(0);
    expect(hitAt(5, 5)).toBe(1);
    expect(hitAt(6, 5)).toBe(0);
    expect(ndcgAt(1, 10)).toBe(1);
    expect(ndcgAt(3, 10)).toBeCloseTo(0.5, 12); // 1/log2(4)
    expect(ndcgAt(7, 10)).toBeCloseTo(1 / 3, 12); // 1/log2(8)
    expect(ndcgAt(6, 5)).toBe(0);
    expect(reciprocalRank(4)).toBe(0.25);
  });
});
