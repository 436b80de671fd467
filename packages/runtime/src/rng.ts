import { createHash } from 'node:crypto';

/**
 * Deterministic pseudo-random numbers (xoshiro128**), seeded from any string
 * through SHA-256, so a stream is fully named by what it is for: e.g.
 * `sample|<manifest hash>|<user>|test|<seed>`.
 */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

export function seedWords(seed: string | number): Uint32Array {
  const digest = createHash('sha256').update(String(seed)).digest();
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) words[i] = digest.readUInt32LE(i * 4);
  if (words.every((w) => w === 0)) words[0] = 1;
  return words;
}

export function createRng(seed: string | number): Rng {
  const s = seedWords(seed);
  let a = s[0];
  let b = s[1];
  let c = s[2];
  let d = s[3];
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => nextUint32() / 4294967296;
  let spare: number | undefined;
  return {
    nextUint32,
    next,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0)
        throw new RangeError(`rng.int: n must be a positive integer, got ${n}`);
      // Rejection sampling keeps the distribution exactly uniform.
      const limit = Math.floor(4294967296 / n) * n;
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % n;
    },
    normal(): number {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
