import { cosine, dot } from './vector';

describe('dot and cosine', () => {
  it('dot sums products in float64', () => {
    expect(dot([1, 2, 3], Float32Array.from([4, 5, 6]))).toBe(32);
    expect(dot(Float32Array.from([0.1]), Float32Array.from([0.1]))).toBeCloseTo(0.01, 8);
  });

  it('cosine is scale-free, signed, and 0 for a zero vector', () => {
    expect(cosine([1, 0], [5, 0])).toBe(1);
    expect(cosine([1, 0], [-2, 0])).toBe(-1);
    expect(cosine([1, 0], [0, 3])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(cosine([1, 1], [1, 0])).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('refuses vectors of different lengths', () => {
    expect(() => dot([1], [1, 2])).toThrow(/length 1 and 2/);
    expect(() => cosine([1], [1, 2])).toThrow(/length 1 and 2/);
  });
});
