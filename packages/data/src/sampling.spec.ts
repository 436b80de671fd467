import { parseProtocol, sampleCandidates, type SampleRequest } from './sampling';

const base: SampleRequest = {
  datasetHash: 'abc',
  userId: 'u1',
  split: 'test',
  seed: 1,
  target: 7,
  touched: [1, 2, 3, 7],
  numItems: 200,
  protocol: { kind: 'sampled', negatives: 9 },
};

describe('sampleCandidates', () => {
  it('returns unique candidates that contain the target and exclude the history', () => {
    for (let seed = 0; seed < 50; seed++) {
      const { items, targetIndex } = sampleCandidates({ ...base, seed });
      expect(items).toHaveLength(10);
      expect(new Set(items).size).toBe(10);
      expect(items[targetIndex]).toBe(7);
      expect(items.filter((i) => i === 7)).toHaveLength(1);
      for (const h of [1, 2, 3]) expect(Array.from(items)).not.toContain(h);
    }
  });

  it('is deterministic and sensitive to seed, user, split and dataset', () => {
    const a = Array.from(sampleCandidates(base).items);
    expect(Array.from(sampleCandidates(base).items)).toEqual(a);
    for (const change of [
      { seed: 2 },
      { userId: 'u2' },
      { split: 'valid' },
      { datasetHash: 'abd' },
    ]) {
      expect(Array.from(sampleCandidates({ ...base, ...change }).items)).not.toEqual(a);
    }
  });

  it('samples negatives uniformly over untouched items', () => {
    const counts = new Array(20).fill(0);
    const trials = 20000;
    for (let s = 0; s < trials; s++) {
      const { items, targetIndex } = sampleCandidates({
        ...base,
        numItems: 20,
        touched: [0],
        target: 0,
        seed: s,
        protocol: { kind: 'sampled', negatives: 3 },
      });
      items.forEach((i, k) => k !== targetIndex && counts[i]++);
    }
    expect(counts[0]).toBe(0);
    // 19 items share 60,000 draws: 3,158 each, sd ~ 54.
    for (const c of counts.slice(1)) expect(Math.abs(c - 60000 / 19)).toBeLessThan(300);
  });

  it('places the target at every position over users (no positional signal)', () => {
    const positions = new Set<number>();
    for (let u = 0; u < 200; u++)
      positions.add(sampleCandidates({ ...base, userId: `u${u}` }).targetIndex);
    expect(positions.size).toBe(10);
  });

  it('full protocol ranks against every untouched item', () => {
    const { items, targetIndex } = sampleCandidates({ ...base, protocol: { kind: 'full' } });
    expect(items).toHaveLength(200 - 4 + 1);
    expect(items[targetIndex]).toBe(7);
  });

  it('refuses more negatives than untouched items', () => {
    expect(() => sampleCandidates({ ...base, numItems: 10 })).toThrow(/only 6 items/);
  });
});

describe('parseProtocol', () => {
  it('accepts sampled:N and full', () => {
    expect(parseProtocol('sampled:9')).toEqual({ kind: 'sampled', negatives: 9 });
    expect(parseProtocol('sampled:100')).toEqual({ kind: 'sampled', negatives: 100 });
    expect(parseProtocol('full')).toEqual({ kind: 'full' });
  });
  it('rejects anything else with the accepted forms', () => {
    for (const bad of ['sampled:0', 'sampled', 'sample:9', 'full:1', '']) {
      expect(() => parseProtocol(bad)).toThrow(/sampled:N/);
    }
  });
});
