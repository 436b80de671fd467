import { createRng } from '@thoughtspace/runtime';

/**
 * The first `k` principal components of the rows (power iteration with
 * deflation on the covariance, seeded), and each row's coordinates on them.
 * Small inputs only: O(n d^2) to form the covariance.
 */
export function pca(
  rows: readonly Float32Array[],
  k = 2,
  seed = 1,
): { coords: Float64Array[]; explained: number[] } {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  const cov = new Float64Array(d * d);
  for (const r of rows) {
    for (let a = 0; a < d; a++) {
      const xa = r[a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += (xa * (r[b] - mean[b])) / Math.max(1, n - 1);
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a];
  const rng = createRng(`pca|${seed}`);
  const components: Float64Array[] = [];
  const explained: number[] = [];
  for (let c = 0; c < k; c++) {
    let v = Float64Array.from({ length: d }, () => rng.normal());
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b] * v[b];
        w[a] = s;
      }
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      for (let a = 0; a < d; a++) w[a] /= norm;
      lambda = norm;
      v = w;
    }
    components.push(v);
    explained.push(trace > 0 ? lambda / trace : 0);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] -= lambda * v[a] * v[b];
  }
  const coords = rows.map((r) =>
    Float64Array.from(components, (v) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (r[j] - mean[j]) * v[j];
      return s;
    }),
  );
  return { coords, explained };
}
