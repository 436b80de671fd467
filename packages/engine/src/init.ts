import { InvalidArgumentError } from '@thoughtspace/runtime';

/** Seeded generator (mulberry32 for uniforms, Box-Muller for normals): same seed, same values, every platform. */
export class Rng {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** A deterministic string hash, used to give each parameter its own stream from one seed. */
export function hashSeed(seed: number, name: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Fills a parameter of the given shape from a generator. */
export interface Initializer {
  readonly kind: string;
  fill(out: Float32Array | Float64Array, shape: readonly number[], rng: Rng): void;
}

export function zeros(): Initializer {
  return { kind: 'zeros', fill: (out) => out.fill(0) };
}

export function constantInit(value: number): Initializer {
  return { kind: `constant(${value})`, fill: (out) => out.fill(value) };
}

export function normal(std = 0.02, mean = 0): Initializer {
  return {
    kind: `normal(${mean},${std})`,
    fill: (out, _s, rng) => {
      for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.normal();
    },
  };
}

/** Normal resampled until inside [-2 std, 2 std]. */
export function truncatedNormal(std = 0.02): Initializer {
  return {
    kind: `truncatedNormal(${std})`,
    fill: (out, _s, rng) => {
      for (let i = 0; i < out.length; i++) {
        let z = rng.normal();
        while (Math.abs(z) > 2) z = rng.normal();
        out[i] = std * z;
      }
    },
  };
}

/** Glorot uniform: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)) over the last two axes. */
export function xavier(): Initializer {
  return {
    kind: 'xavier',
    fill: (out, shape, rng) => {
      if (shape.length < 2)
        throw new InvalidArgumentError(`xavier: needs rank >= 2, got [${shape.join(',')}]`);
      const fanIn = shape[shape.length - 2];
      const fanOut = shape[shape.length - 1];
      const a = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * a;
    },
  };
}

/**
 * Fill an inverted-dropout keep-mask: 0 with probability `rate`, else
 * 1/(1-rate). Each 32-bit draw of an inlined mulberry32 stream decides two
 * elements at 16-bit resolution (rate is rounded to a multiple of 1/65536);
 * this is the hot loop of a training step with dropout.
 */
export function fillDropoutMask(
  out: Float32Array | Float64Array,
  rate: number,
  seed: number,
): void {
  const keep = 1 / (1 - rate);
  const threshold = Math.round(rate * 65536);
  let state = seed >>> 0 || 0x9e3779b9;
  const n = out.length;
  for (let i = 0; i < n; i += 2) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    out[i] = (t & 0xffff) < threshold ? 0 : keep;
    if (i + 1 < n) out[i + 1] = t >>> 16 < threshold ? 0 : keep;
  }
}
