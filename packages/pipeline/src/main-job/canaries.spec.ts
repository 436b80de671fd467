import { canaryLines, labelCanaryBlock, type CanariesBlock } from './canaries';
import { sampleCases } from './invariance';

const interval = (mean: number, low: number, high: number) => ({ mean, low, high });
const metrics = (hr: ReturnType<typeof interval>) =>
  ({ 'HR@1': hr }) as unknown as CanariesBlock['labelPermutation']['metrics'];

describe('the canaries of the main job', () => {
  it('samples distinct test cases, sorted, the same for the same seed', () => {
    const a = sampleCases(1000, 300, 1);
    expect(new Set(a).size).toBe(300);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a.at(-1)).toBeLessThan(1000);
    expect(sampleCases(1000, 300, 1)).toEqual(a);
    expect(sampleCases(1000, 300, 2)).not.toEqual(a);
    // Not the first N: the sample spreads over the users.
    expect(a.at(-1)).toBeGreaterThan(900);
    expect(sampleCases(50, 300, 1)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('calls the label canary at chance only when its CI contains chance', () => {
    const at = labelCanaryBlock({
      method: 'm',
      chance: 0.1,
      metrics: metrics(interval(0.097, 0.09, 0.104)),
    });
    expect(at.atChance).toBe(true);
    const off = labelCanaryBlock({
      method: 'm',
      chance: 0.1,
      metrics: metrics(interval(0.2, 0.18, 0.22)),
    });
    expect(off.atChance).toBe(false);
    expect(canaryLines({ labelPermutation: off })[0]).toMatch(/NOT AT CHANCE/);
  });

  it('prints which inputs moved when the data-invariance canary fails', () => {
    const diff = { variant: 'no-reason' as const, field: 'features' as const, cases: 12, first: 3 };
    const block: CanariesBlock = {
      labelPermutation: labelCanaryBlock({
        method: 'm',
        chance: 0.1,
        metrics: metrics(interval(0.1, 0.09, 0.11)),
      }),
      dataInvariance: {
        cases: 300,
        sampleSeed: 1,
        replacementSeed: 1,
        moved: 300,
        variants: ['no-reason'],
        differences: [diff],
        positiveControl: { leak: 'popularity-over-all-interactions', differences: [diff] },
        passed: false,
        seconds: 42,
        budget: {} as never,
      },
    };
    const [label, invariance] = canaryLines(block);
    expect(label).toMatch(/at chance/);
    expect(invariance).toMatch(/INPUTS MOVED: no-reason:features \(12 cases\)/);
    expect(invariance).toMatch(/FAILED/);
  });
});
