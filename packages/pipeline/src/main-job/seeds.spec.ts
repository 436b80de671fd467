import { aggregateSeeds, holm, type SeedResults } from './seeds';

const tests = (d: number, p: number) => ({
  'HR@1': { difference: { mean: d }, pValue: p },
  'NDCG@10': { difference: { mean: d / 2 }, pValue: p },
  MRR: { difference: { mean: d / 4 }, pValue: 0.5 },
});

function run(seed: number, hr1: number, delta: number, p: number): SeedResults {
  return {
    dataset: { name: 'd', manifestHash: 'h' },
    protocol: 'sampled:9',
    seed,
    provider: 'embedded',
    command: `thoughtspace run --seed ${seed}`,
    wallSeconds: 10,
    peakRssMiB: 100 + seed,
    methods: [
      { method: 'a', provider: 'none', cases: 5, metrics: { 'HR@1': { mean: hr1 } } },
      { method: 'b', provider: 'none', cases: 5, metrics: { 'HR@1': { mean: hr1 / 2 } } },
    ],
    comparisons: [
      { method: 'a', versus: 'b', tests: tests(delta, p) },
      { method: 'b', versus: 'a', tests: tests(-delta, 0.9) },
    ],
  };
}

describe('seeds and multiplicity', () => {
  it('adjusts p-values by Holm (step-down, monotone, capped at 1)', () => {
    expect(holm([0.01, 0.04, 0.03, 0.005]).map((x) => +x.toFixed(6))).toEqual([
      0.03, 0.06, 0.06, 0.02,
    ]);
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
  });

  it('reports mean ± sd over seeds of each method and delta, and the largest Holm p', () => {
    const t = aggregateSeeds([run(1, 0.4, 0.02, 0.001), run(2, 0.6, 0.04, 0.002)], 'cmd');
    expect(t.seeds).toEqual([1, 2]);
    const hr = t.methods[0].metrics['HR@1'];
    expect(hr.mean).toBeCloseTo(0.5, 12);
    expect(hr.sd).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    const c = t.comparisons[0].metrics['HR@1'];
    expect(c.difference.mean).toBeCloseTo(0.03, 12);
    // Family of 2 comparisons x 3 metrics = 6 tests; the smallest p is multiplied by 6.
    expect(c.pHolm[0]).toBeCloseTo(0.006, 12);
    expect(c.pHolmMax).toBeCloseTo(0.012, 12);
    expect(t.peakRssMiB).toBe(102);
    expect(t.wallSeconds).toBe(20);
  });

  it('refuses runs on different datasets', () => {
    const other = { ...run(2, 0.5, 0.01, 0.1), dataset: { name: 'e', manifestHash: 'x' } };
    expect(() => aggregateSeeds([run(1, 0.4, 0.02, 0.001), other], 'cmd')).toThrow(
      /different datasets/,
    );
  });
});
