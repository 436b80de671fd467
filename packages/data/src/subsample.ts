import { createHash } from 'node:crypto';
import { createRng, InvalidArgumentError } from '@thoughtspace/runtime';
import { countDataset, type Dataset } from './dataset';
import type { Prepared } from './prepare';

/** How a prepared dataset was cut down to a user sample (recorded in results). */
export interface UserSample {
  /** Users kept. */
  users: number;
  /** Users in the dataset the sample was drawn from. */
  of: number;
  seed: number;
  /** Manifest hash of the full dataset. */
  fromManifest: string;
}

/**
 * A seeded sample of at most `maxUsers` users of a prepared dataset (kept in
 * their original order, every item and its text kept, so candidate sampling
 * still covers the whole catalogue). The sample is a dataset of its own: its
 * manifest hash is derived from the full one, the cap and the seed, and its
 * counts are the sample's. `maxUsers` 0 or at least the user count returns
 * the dataset unchanged (`sample` undefined). Each user is kept or not by a
 * partial Fisher-Yates shuffle: O(users), whatever the cap.
 */
export function sampleUsers(
  prepared: Prepared,
  o: { maxUsers: number; seed: number },
): Prepared & { sample?: UserSample } {
  if (!Number.isInteger(o.maxUsers) || o.maxUsers < 0)
    throw new InvalidArgumentError(
      `maxUsers: expected an integer >= 0 (0 = no cap), got ${o.maxUsers}`,
    );
  const { dataset, manifest } = prepared;
  const n = dataset.userIds.length;
  if (o.maxUsers === 0 || o.maxUsers >= n) return prepared;
  const rng = createRng(`user-sample|${manifest.hash}|${o.maxUsers}|${o.seed}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < o.maxUsers; i++) {
    const j = i + rng.int(n - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const kept = order.subarray(0, o.maxUsers).sort();
  const pick = <T>(xs: readonly T[] | undefined): T[] | undefined =>
    xs && Array.from(kept, (u) => xs[u]);
  const sampled: Dataset = {
    userIds: pick(dataset.userIds) as string[],
    itemIds: dataset.itemIds,
    items: dataset.items,
    sequences: pick(dataset.sequences) as Int32Array[],
    timestamps: pick(dataset.timestamps),
    ratings: pick(dataset.ratings),
    reviews: pick(dataset.reviews),
    summaries: pick(dataset.summaries),
  };
  for (const k of ['timestamps', 'ratings', 'reviews', 'summaries'] as const)
    if (sampled[k] === undefined) delete sampled[k];
  const hash = createHash('sha256')
    .update(`${manifest.hash}|users:${o.maxUsers}|seed:${o.seed}`)
    .digest('hex');
  const final = countDataset(sampled);
  return {
    name: prepared.name,
    dataset: sampled,
    manifest: { ...manifest, hash, report: { ...manifest.report, final } },
    sample: { users: o.maxUsers, of: n, seed: o.seed, fromManifest: manifest.hash },
  };
}
