// Exact selection over approximate scores. onnxruntime's MatMul sums in its
// own (blocked, FMA) order, so its scores can differ from a sequential
// JavaScript loop in the last bits, and an exact tie or a near-tie could
// come out in a different order. Every approximate score is within `bound`
// of the exact one, so only items whose approximate score falls within that
// band of the decision are rescored with the JavaScript formula; the result
// is identical to the sequential loop's, ties included.

/** The exact score a JavaScript loop computes: sequential float64 sum of float32 products. */
export function exactDot(
  q: Float32Array,
  qo: number,
  t: Float32Array,
  to: number,
  d: number,
): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += q[qo + j] * t[to + j];
  return s;
}

/** Euclidean norm of each row, `|| 1` for zero rows (cosine of a zero vector is 0, not NaN). */
export function rowNorms(table: Float32Array, d: number): Float64Array {
  const n = Math.floor(table.length / d);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += table[r * d + j] ** 2;
    out[r] = Math.sqrt(s) || 1;
  }
  return out;
}

/**
 * The k best non-excluded rows of one query by (exact score desc, index
 * asc), written to `outIdx`/`outScore` at `at`; returns how many were
 * written (fewer than k only when fewer rows are eligible).
 *
 * `candidates` are the rows with the highest approximate scores, best first
 * (onnxruntime's TopK; ties in any order), each approximate score within
 * `bound` of the exact one. A row outside the list scores exactly at most
 * exact(last listed) + 2 bound; when the k-th best listed exact score is
 * above that, the list decides. Otherwise (ties or near-ties straddling the
 * list's end) every row is scored exactly, or, with `scan` false, nothing
 * is written and -1 says the list was too short to decide (the caller asks
 * for a longer list instead of scanning every row in JavaScript).
 */
export function selectTopK(
  candidates: ArrayLike<number>,
  n: number,
  k: number,
  exact: (i: number) => number,
  bound: number,
  excluded: Uint8Array,
  outIdx: Int32Array,
  outScore: Float64Array,
  at: number,
  scan = true,
): number {
  const byScore = (a: [number, number], b: [number, number]) => b[1] - a[1] || a[0] - b[0];
  let scored: [number, number][] = [];
  for (let j = 0; j < candidates.length; j++) {
    const i = candidates[j];
    if (!excluded[i]) scored.push([i, exact(i)]);
  }
  scored.sort(byScore);
  const complete = candidates.length >= n;
  if (!complete) {
    const ceiling = exact(candidates[candidates.length - 1]) + 2 * bound;
    if (scored.length < k || !(scored[k - 1][1] > ceiling)) {
      if (!scan) return -1;
      scored = [];
      for (let i = 0; i < n; i++) if (!excluded[i]) scored.push([i, exact(i)]);
      scored.sort(byScore);
    }
  }
  const m = Math.min(k, scored.length);
  for (let j = 0; j < m; j++) {
    outIdx[at + j] = scored[j][0];
    outScore[at + j] = scored[j][1];
  }
  return m;
}

/** The smallest float32 >= x (x finite or infinite, not NaN). */
export function float32AtLeast(x: number): number {
  const f = Math.fround(x);
  return f >= x ? f : nextFloat32(f, 1);
}

/** The largest float32 <= x. */
export function float32AtMost(x: number): number {
  const f = Math.fround(x);
  return f <= x ? f : nextFloat32(f, -1);
}

const f32 = new Float32Array(1);
const f32Bits = new Int32Array(f32.buffer);

/** The float32 next to finite f in direction dir (+1 up, -1 down). */
function nextFloat32(f: number, dir: 1 | -1): number {
  if (f === 0) return dir * 2 ** -149;
  f32[0] = f;
  // Moving away from zero increments the bit pattern's magnitude, towards zero decrements it.
  f32Bits[0] += f > 0 === dir > 0 ? 1 : -1;
  return f32[0];
}

/**
 * The decision band of one query's rank, in the units of the approximate
 * scores: a row whose approximation is above `hi` scores exactly above the
 * target, one below `lo` exactly below it; rows in [lo, hi] need their exact
 * score. Both limits are float32 values (rounded outwards), so onnxruntime's
 * float32 comparisons and JavaScript's give the same answer on every row.
 * `scale` turns approximations into scores (cosine: 1 / |q|); `bound` is the
 * approximation's error bound and t the target's exact score.
 */
export function rankBand(t: number, scale: number, bound: number): { hi: number; lo: number } {
  // Compare unscaled values against scaled limits (scale > 0), widened by the product's rounding.
  const slack = bound * (1 + 2 ** -40) + Math.abs(t) * 2 ** -50;
  return { hi: float32AtLeast((t + slack) / scale), lo: float32AtMost((t - slack) / scale) };
}

/**
 * 1-based rank of `target` among non-excluded rows (the target itself never
 * counts): every other row scoring at least as high ranks above it, exactly
 * as @thoughtspace/metrics' rankOfTarget counts ties.
 *
 * The engine gives, per query, `above`: how many rows' approximations are
 * above the band (see rankBand), and the rows inside it, `band[from..to)`.
 * A row above the band scores exactly above t, the target's exact score, and
 * a row below it exactly below; so band rows are rescored with `exact`, and
 * an excluded row outside the band was counted in `above` exactly when its
 * exact score is above t. Nothing here reads a row of scores.
 */
export function rankFromBand(
  above: number,
  band: Int32Array,
  from: number,
  to: number,
  target: number,
  t: number,
  exact: (i: number) => number,
  excluded: Uint8Array,
  unique: readonly number[],
): number {
  let count = above;
  for (let j = from; j < to; j++) {
    const i = band[j];
    if (i !== target && !excluded[i] && exact(i) >= t) count++;
  }
  for (const i of unique) {
    if (i === target) continue;
    let inBand = false;
    for (let j = from; j < to && !inBand; j++) inBand = band[j] === i;
    if (!inBand && exact(i) > t) count--;
  }
  return count + 1;
}
