import { createTopK, type TopK } from '@thoughtspace/engine';
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
 * handler and the pipeline's base-reason evidence both call it. The queries
 * x pool products run batched on the engine (onnxruntime MatMul + TopK,
 * `createTopK`), with near-ties rescored by the sequential float64 formula,
 * so the neighbours and their order are exactly those of a JavaScript loop
 * while the cost stays O(queries x pool / batch) session runs, not a JS
 * double loop. Pass `index` (a cosine TopK over `pool`) to reuse one across
 * calls; otherwise one is built and disposed here.
 */
export async function nearestUsers(o: {
  /** [queries, dim] row-major. */
  queries: Float32Array;
  /** [users, dim] row-major. */
  pool: Float32Array;
  dim: number;
  k: number;
  exclude?: ArrayLike<number>;
  /** A cosine TopK built over `pool` (e.g. a server's, built once). */
  index?: TopK;
  /** Progress label for large searches (default: silent under 2,000 queries). */
  label?: string;
}): Promise<Neighbour[][]> {
  const d = o.dim;
  if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError(`dim: must be >= 1, got ${d}`);
  if (!Number.isInteger(o.k) || o.k < 1)
    throw new InvalidArgumentError(`k: must be >= 1, got ${o.k}`);
  if (o.queries.length % d !== 0 || o.pool.length % d !== 0)
    throw new InvalidArgumentError(`queries/pool: lengths must be multiples of dim ${d}`);
  const nq = o.queries.length / d;
  if (o.exclude && o.exclude.length !== nq)
    throw new InvalidArgumentError(`exclude: ${o.exclude.length} entries for ${nq} queries`);
  if (nq === 0 || o.pool.length === 0) return Array.from({ length: nq }, () => []);
  const index = o.index ?? (await createTopK({ table: o.pool, dim: d, metric: 'cosine' }));
  try {
    const skip = o.exclude;
    const found = await index.search({
      queries: o.queries,
      k: o.k,
      exclude: skip ? (q) => (skip[q] >= 0 ? [skip[q]] : []) : undefined,
      label: o.label ?? 'similar users',
      silent: nq < 2000,
    });
    return Array.from({ length: nq }, (_, q) =>
      Array.from({ length: found.counts[q] }, (_, j) => ({
        user: found.indices[q * found.k + j],
        score: found.scores[q * found.k + j],
      })),
    );
  } finally {
    if (!o.index) await index.dispose();
  }
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
