import type { TensorValue } from '@thoughtspace/engine';
import { createRng } from '@thoughtspace/runtime';

/** Item index i is model id i + 1; 0 is padding. */
export const PAD = 0;

/** Left-pad (or cut to the most recent) `maxLen` model ids of a history of item indices. */
export function encodeHistory(
  history: ArrayLike<number>,
  maxLen: number,
  out: BigInt64Array,
  offset: number,
): void {
  const n = Math.min(history.length, maxLen);
  const start = history.length - n;
  for (let j = 0; j < maxLen - n; j++) out[offset + j] = 0n;
  for (let j = 0; j < n; j++) out[offset + maxLen - n + j] = BigInt(history[start + j] + 1);
}

export function encodeHistories(histories: ArrayLike<number>[], maxLen: number): TensorValue {
  const data = new BigInt64Array(histories.length * maxLen);
  histories.forEach((h, i) => encodeHistory(h, maxLen, data, i * maxLen));
  return { dtype: 'int64', dims: [histories.length, maxLen], data };
}

export function encodeCandidates(candidates: ArrayLike<number>[]): TensorValue {
  const c = candidates[0]?.length ?? 0;
  const data = new BigInt64Array(candidates.length * c);
  candidates.forEach((row, i) => {
    for (let j = 0; j < c; j++) data[i * c + j] = BigInt(row[j] + 1);
  });
  return { dtype: 'int64', dims: [candidates.length, c], data };
}

export interface BatchOptions {
  /** Training sequences (item indices), one per user; users with fewer than 2 items are skipped. */
  sequences: Int32Array[];
  numItems: number;
  maxLen: number;
  batch: number;
  loss: 'bce' | 'softmax';
  negatives: number;
  /** Seed for the epoch's user order and negatives. */
  seed: number;
  epoch: number;
}

/**
 * One epoch of training batches: every user with at least two training items
 * once, in a seeded order. Inputs are the first n-1 items, targets the next
 * item at every position; BCE adds one negative per position drawn uniformly
 * from items the user never trained on (the reference implementation's rule).
 */
export function* epochBatches(o: BatchOptions): Generator<Record<string, TensorValue>> {
  const rng = createRng(`sasrec-batches|${o.seed}|${o.epoch}`);
  const users = o.sequences.map((s, u) => (s.length >= 2 ? u : -1)).filter((u) => u >= 0);
  for (let i = users.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [users[i], users[j]] = [users[j], users[i]];
  }
  const L = o.maxLen;
  for (let start = 0; start < users.length; start += o.batch) {
    const chunk = users.slice(start, start + o.batch);
    const B = chunk.length;
    const seq = new BigInt64Array(B * L);
    const pos = new BigInt64Array(B * L);
    const neg = new BigInt64Array(B * L);
    chunk.forEach((u, b) => {
      const s = o.sequences[u];
      encodeHistory(s.subarray(0, s.length - 1), L, seq, b * L);
      encodeHistory(s.subarray(1), L, pos, b * L);
      if (o.loss === 'bce') {
        const seen = new Set<number>(s);
        for (let j = 0; j < L; j++) {
          if (pos[b * L + j] === 0n) continue;
          let item: number;
          do item = rng.int(o.numItems);
          while (seen.has(item));
          neg[b * L + j] = BigInt(item + 1);
        }
      }
    });
    const feeds: Record<string, TensorValue> = {
      seq: { dtype: 'int64', dims: [B, L], data: seq },
      pos: { dtype: 'int64', dims: [B, L], data: pos },
    };
    if (o.loss === 'bce') feeds.neg = { dtype: 'int64', dims: [B, L], data: neg };
    else {
      const negatives = new BigInt64Array(o.negatives);
      for (let k = 0; k < o.negatives; k++) negatives[k] = BigInt(rng.int(o.numItems) + 1);
      feeds.negatives = { dtype: 'int64', dims: [o.negatives], data: negatives };
    }
    yield feeds;
  }
}

export function batchesPerEpoch(sequences: Int32Array[], batch: number): number {
  return Math.ceil(sequences.filter((s) => s.length >= 2).length / batch);
}
