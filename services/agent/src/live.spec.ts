import { Metrics, type GetMetricsResponse } from '@thoughtspace/proto';
import { liveFromMetrics, type EvaluatorPort, type LiveValue } from './evaluator';
import { watchLive, type LiveRule } from './live';

const entry = (modelVersion: string, window: string, ndcg10: number, cases: number): Metrics =>
  Metrics.fromPartial({
    method: 'thought-space',
    modelVersion,
    window,
    cases,
    values: [{ name: 'ndcg@10', mean: ndcg10 }],
  });

describe('liveFromMetrics', () => {
  const res: GetMetricsResponse = {
    metrics: [
      entry('', 'cumulative', 0.5, 900),
      entry('v2', 'cumulative', 0.4, 600),
      entry('v2', 'last:100', 0.3, 100),
    ],
    updatedAtUnixMs: 1,
  };
  it('picks the version and window asked for', () => {
    const q = { version: 'v2', metric: 'NDCG@10' as const };
    expect(liveFromMetrics(res, { ...q, window: 'cumulative' })).toEqual({
      value: 0.4,
      cases: 600,
    });
    expect(liveFromMetrics(res, { ...q, window: 'sliding' })).toEqual({ value: 0.3, cases: 100 });
    expect(liveFromMetrics(res, { ...q, version: 'v3', window: 'cumulative' })).toBeUndefined();
  });
  it('refuses to guess between methods of one version', () => {
    const two = { ...res, metrics: [...res.metrics, { ...res.metrics[1], method: 'sasrec' }] };
    expect(() =>
      liveFromMetrics(two, { version: 'v2', metric: 'NDCG@10', window: 'cumulative' }),
    ).toThrow('2 cumulative entries for version v2 (methods thought-space, sasrec)');
  });
});

describe('watchLive', () => {
  /** An evaluator whose live values change on each poll (the last one repeats). */
  function evaluator(series: Record<string, (LiveValue | undefined)[]>): EvaluatorPort {
    const polls: Record<string, number> = {};
    return {
      compare: () => Promise.reject(new Error('not used')),
      liveMetric: async ({ version }) => {
        const s = series[version];
        const i = Math.min(polls[version] ?? 0, s.length - 1);
        polls[version] = (polls[version] ?? 0) + 1;
        return s[i];
      },
      close: () => undefined,
    };
  }
  const rule: LiveRule = {
    metric: 'NDCG@10',
    window: 'cumulative',
    margin: 0.01,
    minCases: 100,
    waitMs: 200,
    pollMs: 10,
  };
  const watch = (series: Record<string, (LiveValue | undefined)[]>, r = rule) =>
    watchLive({
      evaluator: evaluator(series),
      champion: 'v1',
      challenger: 'v2',
      rule: r,
      log: () => undefined,
    });

  it('decides "worse" only once both sides have the minimum count', async () => {
    const v = await watch({
      v1: [{ value: 0.5, cases: 500 }],
      v2: [undefined, { value: 0.1, cases: 50 }, { value: 0.3, cases: 120 }],
    });
    expect(v.kind).toBe('worse');
    expect(v.challenger).toEqual({ value: 0.3, cases: 120 });
  });
  it('holds within the margin, and is inconclusive without enough cases', async () => {
    const held = await watch({
      v1: [{ value: 0.5, cases: 500 }],
      v2: [{ value: 0.495, cases: 300 }],
    });
    expect(held.kind).toBe('held');
    const few = await watch({ v1: [{ value: 0.5, cases: 500 }], v2: [{ value: 0, cases: 99 }] });
    expect(few.kind).toBe('inconclusive');
    const noChampion = await watch({ v1: [undefined], v2: [{ value: 0, cases: 300 }] });
    expect(noChampion.kind).toBe('inconclusive');
    expect(noChampion.reason).toContain('v1 no cases');
  });
});
