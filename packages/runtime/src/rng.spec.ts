import { createRng } from './rng';

describe('createRng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createRng('x|1');
    const b = createRng('x|1');
    const c = createRng('x|2');
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    const sb = Array.from({ length: 8 }, () => b.nextUint32());
    const sc = Array.from({ length: 8 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('draws integers uniformly in range', () => {
    const rng = createRng(7);
    const counts = new Array(10).fill(0);
    const n = 100000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]++;
    // Each bucket expects 10,000 with sd ~95; 5 sd bounds.
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(500);
    expect(() => rng.int(0)).toThrow(RangeError);
  });

  it('produces standard normals with mean 0 and variance 1', () => {
    const rng = createRng('normal');
    const n = 50000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.03);
  });
});
