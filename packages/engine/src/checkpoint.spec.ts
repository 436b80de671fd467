import { DataLossError } from '@thoughtspace/runtime';
import { decodeSafetensors, encodeSafetensors } from './checkpoint';
import { fillDropoutMask, normal, Rng, truncatedNormal, xavier } from './init';

describe('safetensors layout', () => {
  const file = {
    metadata: { step: '3' },
    tensors: [
      {
        name: 'w',
        dtype: 'float32' as const,
        shape: [2, 3],
        data: Float32Array.from([1, 2, 3, 4, 5, 6]),
      },
      { name: 'ids', dtype: 'int64' as const, shape: [2], data: BigInt64Array.from([7n, -1n]) },
      { name: 'd', dtype: 'float64' as const, shape: [1], data: Float64Array.from([Math.PI]) },
    ],
  };

  test('round trips tensors and metadata', () => {
    expect(decodeSafetensors(encodeSafetensors(file))).toEqual(file);
  });

  test('header is a little-endian length, JSON with data_offsets, data 8-byte aligned', () => {
    const buf = encodeSafetensors(file);
    const n = Number(buf.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.ids).toEqual({ dtype: 'I64', shape: [2], data_offsets: [24, 40] });
    expect(header.__metadata__).toEqual({ step: '3' });
    expect(buf.readFloatLE(8 + n + 4)).toBe(2);
  });

  test('truncated or corrupt files raise DataLossError', () => {
    const buf = encodeSafetensors(file);
    expect(() => decodeSafetensors(buf.subarray(0, buf.length - 4))).toThrow(DataLossError);
    expect(() => decodeSafetensors(buf.subarray(0, 4))).toThrow(DataLossError);
    const bad = Buffer.from(buf);
    bad.write('#', 9);
    expect(() => decodeSafetensors(bad)).toThrow(/header is not JSON/);
  });
});

describe('seeded initialisers', () => {
  const stats = (a: Float32Array) => {
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    const std = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length);
    return { mean, std, max: Math.max(...a.map(Math.abs)) };
  };

  test('same seed, same values; different seed, different values', () => {
    const a = new Float32Array(64);
    const b = new Float32Array(64);
    normal(0.1).fill(a, [64], new Rng(5));
    normal(0.1).fill(b, [64], new Rng(5));
    expect(a).toEqual(b);
    normal(0.1).fill(b, [64], new Rng(6));
    expect(a).not.toEqual(b);
  });

  test('normal, truncated normal and xavier have their distributions', () => {
    const n = new Float32Array(20000);
    normal(0.5, 1).fill(n, [20000], new Rng(1));
    expect(stats(n).mean).toBeCloseTo(1, 1);
    expect(stats(n).std).toBeCloseTo(0.5, 1);
    truncatedNormal(0.5).fill(n, [20000], new Rng(2));
    expect(stats(n).max).toBeLessThanOrEqual(1.0000001);
    const x = new Float32Array(100 * 50);
    xavier().fill(x, [100, 50], new Rng(3));
    const bound = Math.sqrt(6 / 150);
    expect(stats(x).max).toBeLessThanOrEqual(bound);
    expect(stats(x).std).toBeCloseTo(bound / Math.sqrt(3), 2);
  });

  test('dropout masks drop about `rate` and scale the rest', () => {
    const m = new Float32Array(100001);
    fillDropoutMask(m, 0.25, 9);
    const dropped = m.filter((v) => v === 0).length / m.length;
    expect(dropped).toBeCloseTo(0.25, 2);
    expect(new Set(m)).toEqual(new Set([0, 1 / 0.75].map(Math.fround)));
  });
});
