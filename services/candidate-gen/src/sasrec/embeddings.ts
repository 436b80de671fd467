import type { Feeds, TensorValue } from '@thoughtspace/engine';
import { encodeHistories } from './batches';

/** Runs the forward graph for a batch of encoded histories and returns `user_embedding` [batch, d]. */
export type ForwardFn = (feeds: Feeds) => Promise<TensorValue>;

/** User states for many histories, `batch` at a time: row i is the embedding of histories[i]. */
export async function userEmbeddings(
  forward: ForwardFn,
  histories: ArrayLike<number>[],
  maxLen: number,
  hidden: number,
  batch = 512,
): Promise<Float32Array> {
  const out = new Float32Array(histories.length * hidden);
  for (let start = 0; start < histories.length; start += batch) {
    const chunk = histories.slice(start, start + batch);
    const value = await forward({ seq: encodeHistories(chunk, maxLen) });
    out.set(value.data as Float32Array, start * hidden);
  }
  return out;
}

/**
 * Scores of candidates (item indices) for one user: dot products of the user
 * state with the shared item embeddings (row = index + 1, row 0 is padding),
 * exactly the `scores` output of the exported graph.
 */
export function dotScores(
  user: Float32Array,
  userRow: number,
  itemEmbedding: Float32Array,
  hidden: number,
  candidates: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(candidates.length);
  const u = userRow * hidden;
  for (let c = 0; c < candidates.length; c++) {
    const row = (candidates[c] + 1) * hidden;
    let s = 0;
    for (let k = 0; k < hidden; k++) s += user[u + k] * itemEmbedding[row + k];
    out[c] = s;
  }
  return out;
}

/**
 * Rows of the item embedding table for item indices, [items.length, hidden]
 * (row index + 1 of the table; row 0 is padding). The only place outside the
 * graph that knows the offset.
 */
export function itemRows(
  itemEmbedding: Float32Array,
  hidden: number,
  items: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(items.length * hidden);
  const rows = itemEmbedding.length / hidden - 1;
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (!Number.isInteger(item) || item < 0 || item >= rows)
      throw new RangeError(`items[${k}]: item index ${item} is outside the table's ${rows} items`);
    out.set(itemEmbedding.subarray((item + 1) * hidden, (item + 2) * hidden), k * hidden);
  }
  return out;
}
