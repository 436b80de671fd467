import { InvalidArgumentError } from '@thoughtspace/runtime';
// Exact selection over approximate scores. onnxruntime's float32 MatMul sums
// in its own (blocked, FMA) order, so its scores differ from a sequential
// float64 JavaScript loop in the last bits, and a near-tie can flip. Every
// approximate score is within `bound` of the exact one, so only items whose
// approximate score falls within that band of the decision are rescored
// exactly; the result is identical to the sequential loop's, ties included.

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

/** Min-heap of the k largest values seen: `kth()` is the k-th largest once full. */
class KthLargest {
  private readonly heap: Float64Array;
  private size = 0;
  constructor(private readonly k: number) {
    this.heap = new Float64Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  get full(): boolean {
    return this.size === this.k;
  }
  kth(): number {
    return this.heap[0];
  }
  push(v: number): void {
    const h = this.heap;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (h[p] <= v) break;
        h[i] = h[p];
        i = p;
      }
      h[i] = v;
      return;
    }
    if (v <= h[0]) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r] < h[l] ? r : l;
      if (h[c] >= v) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = v;
  }
}

/**
 * One row of approximate scores: item i's approximate score is
 * `data[offset + i] * rowScale * colScale[i]` (cosine divides by both norms;
 * dot passes ones), and `exact(i)` is the sequential JavaScript formula.
 */
export interface ScoreRow {
  data: Float32Array;
  offset: number;
  n: number;
  rowScale: number;
  colScale: Float64Array;
  exact: (i: number) => number;
  /** Largest possible |approximate - exact| in this row. */
  bound: number;
}

function nanError(i: number): Error {
  return new InvalidArgumentError(`score of row ${i} is NaN`);
}

export class Selector {
  private readonly kth: KthLargest;
  private readonly shortIdx: number[] = [];
  private readonly shortScore: number[] = [];
  constructor(private readonly k: number) {
    this.kth = new KthLargest(k);
  }

  /**
   * The k best non-excluded items of one row by (exact score desc, index asc),
   * written to `outIdx`/`outScore` at `at`; returns how many were written
   * (fewer than k only when fewer items are eligible).
   */
  select(
    row: ScoreRow,
    excluded: Uint8Array,
    outIdx: Int32Array,
    outScore: Float64Array,
    at: number,
  ): number {
    const { data, offset: ro, n, rowScale, colScale, exact } = row;
    const heap = this.kth;
    heap.reset();
    for (let i = 0; i < n; i++) {
      if (excluded[i]) continue;
      const a = data[ro + i] * rowScale * colScale[i];
      if (Number.isNaN(a)) throw nanError(i);
      heap.push(a);
    }
    const threshold = heap.full ? heap.kth() - 2 * row.bound : -Infinity;
    const idx = this.shortIdx;
    const sc = this.shortScore;
    idx.length = 0;
    sc.length = 0;
    for (let i = 0; i < n; i++) {
      if (excluded[i]) continue;
      const a = data[ro + i] * rowScale * colScale[i];
      if (a >= threshold) {
        idx.push(i);
        sc.push(exact(i));
      }
    }
    const order = Array.from(idx.keys()).sort((x, y) => sc[y] - sc[x] || idx[x] - idx[y]);
    const m = Math.min(this.k, order.length);
    for (let j = 0; j < m; j++) {
      outIdx[at + j] = idx[order[j]];
      outScore[at + j] = sc[order[j]];
    }
    return m;
  }
}

/**
 * 1-based rank of `target` in one row among non-excluded items (the target
 * itself never counts): every other item scoring at least as high ranks
 * above it, exactly as @thoughtspace/metrics' rankOfTarget counts ties.
 */
export function rankInRow(row: ScoreRow, target: number, excluded: Uint8Array): number {
  const { data, offset: ro, n, rowScale, colScale, exact } = row;
  const t = exact(target);
  if (Number.isNaN(t)) throw nanError(target);
  const hi = t + row.bound;
  const lo = t - row.bound;
  let above = 0;
  for (let i = 0; i < n; i++) {
    if (i === target || excluded[i]) continue;
    const a = data[ro + i] * rowScale * colScale[i];
    if (a > hi) above++;
    else if (a >= lo) {
      if (exact(i) >= t) above++;
    } else if (Number.isNaN(a)) throw nanError(i);
  }
  return above + 1;
}
