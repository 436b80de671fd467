/**
 * The project's one dot product and cosine. They live in runtime because
 * both engine-free code (tot-selector, the pipeline, baselines) and model
 * code (encoder, candidate-gen) need them, and runtime is the one package
 * every other package already depends on, with no dependencies of its own.
 * Accumulation is in float64 whatever the input type.
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new RangeError(`dot: vectors of length ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosine similarity; 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new RangeError(`cosine: vectors of length ${a.length} and ${b.length}`);
  let ab = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? ab / Math.sqrt(na * nb) : 0;
}
