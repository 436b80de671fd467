import { InvalidArgumentError } from '@thoughtspace/runtime';

/** A pool row and its cosine with the query. */
export interface Neighbour {
  /** Row of the pool (a user index). */
  user: number;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

/**
 * The k nearest pool rows of every query by cosine: ranked by score desc,
 * then pool index asc (so ties are deterministic). `exclude[i]`, when >= 0,
 * is a pool row never returned for query i (the query's own user).
 *
 * The one similar-users search of the project: candidate-gen's SimilarUsers
 * handler and the pipeline's base-reason evidence both call it. The inner
 * loop is plain JavaScript in float64; a batched engine top-k can replace it
 * behind this signature.
 */
export function nearestUsers(o: {
  /** [queries, dim] row-major. */
  queries: Float32Array;
  /** [users, dim] row-major. */
  pool: Float32Array;
  dim: number;
  k: number;
  exclude?: ArrayLike<number>;
}): Neighbour[][] {
  const d = o.dim;
  if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError(`dim: must be >= 1, got ${d}`);
  if (!Number.isInteger(o.k) || o.k < 1)
    throw new InvalidArgumentError(`k: must be >= 1, got ${o.k}`);
  if (o.queries.length % d !== 0 || o.pool.length % d !== 0)
    throw new InvalidArgumentError(`queries/pool: lengths must be multiples of dim ${d}`);
  const nq = o.queries.length / d;
  if (o.exclude && o.exclude.length !== nq)
    throw new InvalidArgumentError(`exclude: ${o.exclude.length} entries for ${nq} queries`);
  const poolNorm = rowNorms(o.pool, d);
  const out: Neighbour[][] = [];
  for (let i = 0; i < nq; i++) {
    let qn = 0;
    for (let j = 0; j < d; j++) qn += o.queries[i * d + j] ** 2;
    qn = Math.sqrt(qn) || 1;
    const skip = o.exclude ? o.exclude[i] : -1;
    const best: Neighbour[] = [];
    for (let u = 0; u < poolNorm.length; u++) {
      if (u === skip) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += o.queries[i * d + j] * o.pool[u * d + j];
      s /= qn * poolNorm[u];
      // Rows come in index order, so an equal score never displaces an earlier row.
      if (best.length < o.k || s > best[best.length - 1].score) {
        let pos = best.length;
        while (pos > 0 && best[pos - 1].score < s) pos--;
        best.splice(pos, 0, { user: u, score: s });
        if (best.length > o.k) best.pop();
      }
    }
    out.push(best);
  }
  return out;
}

/** Euclidean norm of every row (0 -> 1, so a zero row has cosine 0 with everything). */
function rowNorms(table: Float32Array, d: number): Float64Array {
  const n = table.length / d;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += table[r * d + j] ** 2;
    out[r] = Math.sqrt(s) || 1;
  }
  return out;
}

/**
 * The last `count` items of a history, newest first, skipping items in `skip`
 * (and adding the taken ones to it when `claim` is set, so a second call
 * never repeats them).
 */
export function recentItems(
  history: ArrayLike<number>,
  count: number,
  skip?: Set<number>,
  claim = false,
): number[] {
  const out: number[] = [];
  for (let j = history.length - 1; j >= 0 && out.length < count; j--) {
    const item = history[j];
    if (skip?.has(item)) continue;
    if (claim) skip?.add(item);
    out.push(item);
  }
  return out;
}

/**
 * The collaborative evidence for a base reason: for each neighbour in rank
 * order, up to `itemsPerUser` of their most recent items that the user has not
 * had and no earlier neighbour contributed. Item indices.
 */
export function itemsOfSimilarUsers(o: {
  neighbours: readonly Neighbour[];
  /** Pool histories (as of the split), aligned with the pool rows. */
  histories: readonly ArrayLike<number>[];
  /** The user's own history: never evidence. */
  own: ArrayLike<number>;
  itemsPerUser: number;
}): number[] {
  const skip = new Set<number>(Array.from(o.own));
  return o.neighbours.flatMap((n) => recentItems(o.histories[n.user], o.itemsPerUser, skip, true));
}
