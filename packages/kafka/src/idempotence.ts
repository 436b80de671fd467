/**
 * Request ids already handled, so a redelivery (after a rebalance or a crash
 * between producing and committing) is recognised. Bounded: the oldest ids
 * are forgotten first, so `capacity` must exceed the number of records that
 * can be redelivered (what is in flight between two commits).
 */
export interface IdempotenceStore {
  has(requestId: string): boolean;
  add(requestId: string): void;
  readonly size: number;
  /** The remembered ids, oldest first (for checkpoints). */
  snapshot(): string[];
}

export interface IdempotenceStoreOptions {
  /** Ids remembered (default 1,000,000). */
  capacity?: number;
  /** Ids to start from, oldest first (a restored checkpoint). */
  initial?: Iterable<string>;
}

export function createIdempotenceStore(options: IdempotenceStoreOptions = {}): IdempotenceStore {
  const capacity = options.capacity ?? 1_000_000;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }
  // A Set iterates in insertion order: its first element is the oldest id.
  const ids = new Set<string>();
  const add = (id: string): void => {
    if (ids.has(id)) return;
    ids.add(id);
    if (ids.size > capacity) ids.delete(ids.values().next().value as string);
  };
  for (const id of options.initial ?? []) add(id);
  return {
    has: (id) => ids.has(id),
    add,
    get size() {
      return ids.size;
    },
    snapshot: () => [...ids],
  };
}
