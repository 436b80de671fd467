import { compareRanks, ranksOf, reportFromRanks } from './evaluate';
import { bootstrapMean, pairedCompare } from './bootstrap';
import { formatMetricTable } from './table';

describe('reportFromRanks', () => {
  it('computes every metric from ranks (hand-computed case)', () => {
    // Scores for three users; truth at index 0 each time.
    const ranks = ranksOf([
      { scores: [3, 1, 2], targetIndex: 0 }, // rank 1
      { scores: [2, 3, 1], targetIndex: 0 }, // rank 2
      { scores: [1, 1, 1], targetIndex: 0 }, // tie -> rank 3
    ]);
    expect(Array.from(ranks)).toEqual([1, 2, 3]);
    const r = reportFromRanks(ranks, { seed: 1, resamples: 200 });
    expect(r.cases).toBe(3);
    expect(r.metrics['HR@1'].mean).toBeCloseTo(1 / 3, 12);
    expect(r.metrics['HR@5'].mean).toBe(1);
    expect(r.metrics['NDCG@5'].mean).toBeCloseTo((1 + 1 / Math.log2(3) + 0.5) / 3, 12);
    expect(r.metrics.MRR.mean).toBeCloseTo((1 + 0.5 + 1 / 3) / 3, 12);
    for (const m of Object.values(r.metrics)) {
      expect(m.low).toBeLessThanOrEqual(m.mean + 1e-12);
      expect(m.high).toBeGreaterThanOrEqual(m.mean - 1e-12);
    }
  });

  it('a model that scores everything equal gets HR@1 = 0', () => {
    const ranks = ranksOf(
      Array.from({ length: 50 }, (_, i) => ({
        scores: new Array(10).fill(0.5),
        targetIndex: i % 10,
      })),
    );
    expect(reportFromRanks(ranks).metrics['HR@1'].mean).toBe(0);
  });

  it('rejects an empty set of cases', () => {
    expect(() => reportFromRanks([])).toThrow(/no evaluation cases/);
  });
});

describe('bootstrap', () => {
  it('is seeded and covers the mean of a Bernoulli(0.3) sample', () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i % 10 < 3 ? 1 : 0));
    const a = bootstrapMean(values, { seed: 5 });
    const b = bootstrapMean(values, { seed: 5 });
    const c = bootstrapMean(values, { seed: 6 });
    expect(a).toEqual(b);
    expect(a.low).not.toBe(c.low);
    expect(a.mean).toBeCloseTo(0.3, 12);
    // Normal approximation: half-width ~ 1.96 * sqrt(0.21 / 2000) = 0.0201.
    expect(a.high - a.low).toBeGreaterThan(0.03);
    expect(a.high - a.low).toBeLessThan(0.05);
  });
});

describe('paired comparison', () => {
  it('finds a real difference and not a fake one', () => {
    const n = 400;
    const better = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const worse = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const real = pairedCompare(better, worse, { seed: 1 });
    expect(real.difference.mean).toBeCloseTo(0.25, 12);
    expect(real.pValue).toBeLessThan(0.01);
    expect(real.difference.low).toBeGreaterThan(0);

    const same = pairedCompare(better, better, { seed: 1 });
    expect(same.difference.mean).toBe(0);
    expect(same.pValue).toBe(1);

    const shuffled = Array.from({ length: n }, (_, i) => ((i * 7 + 3) % 2 === 0 ? 1 : 0));
    const noise = pairedCompare(better, shuffled.reverse(), { seed: 1 });
    expect(noise.pValue).toBeGreaterThan(0.05);
  });

  it('compares every metric and refuses mismatched cases', () => {
    const cmp = compareRanks([1, 1, 2, 5], [3, 2, 2, 9], {
      seed: 2,
      resamples: 100,
      permutations: 100,
    });
    expect(cmp['HR@1'].difference.mean).toBeCloseTo(0.5, 12);
    expect(() => pairedCompare([1, 2], [1])).toThrow(/same cases/);
  });
});

describe('formatMetricTable', () => {
  it('renders one row per method with intervals', () => {
    const report = reportFromRanks([1, 2, 3, 4], { seed: 1, resamples: 50 });
    const text = formatMetricTable([{ name: 'pop', report }]);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toMatch(/^method\s+cases\s+HR@1/);
    expect(text).toMatch(/pop\s+4\s+0\.2500 \[/);
  });
});
