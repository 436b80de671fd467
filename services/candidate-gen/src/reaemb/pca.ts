import { InvalidArgumentError } from '@thoughtspace/runtime';
import { Rng } from '@thoughtspace/engine';

/**
 * Project rows of `x` ([n, d] row-major) on their top-`k` principal
 * components (power iteration with deflation on the d x d covariance).
 * Returns [n, k]; component signs are fixed so the largest |loading| is positive.
 */
export function pca(x: Float32Array, n: number, d: number, k: number, seed = 1): Float32Array {
  if (x.length !== n * d)
    throw new InvalidArgumentError(`pca: x has ${x.length} values, expected ${n}x${d}`);
  if (!(k >= 1 && k <= d)) throw new InvalidArgumentError(`pca: k must be in [1, ${d}], got ${k}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += (row[a] * row[b]) / n;
  }
  const rng = new Rng(seed);
  const comps: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    let v = Float64Array.from({ length: d }, () => rng.normal());
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a] += cov[a * d + b] * v[b];
      const norm = Math.hypot(...w) || 1;
      for (let a = 0; a < d; a++) w[a] /= norm;
      const done = Math.abs(norm - lambda) < 1e-10 * Math.max(1, norm);
      lambda = norm;
      v = w;
      if (done) break;
    }
    let big = 0;
    for (let a = 0; a < d; a++) if (Math.abs(v[a]) > Math.abs(v[big])) big = a;
    if (v[big] < 0) for (let a = 0; a < d; a++) v[a] = -v[a];
    comps.push(v);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] -= lambda * v[a] * v[b];
  }
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j] - mean[j]) * comps[c][j];
      out[i * k + c] = s;
    }
  return out;
}
