/**
 * A map that keeps only the `capacity` most recently used entries: a lookup
 * that finds its key makes it the most recent; adding past the capacity
 * drops the least recent. Map iteration order is insertion order, so
 * re-inserting an entry on use keeps the oldest first.
 */
export interface RecentCache<V> {
  /** The value of `key`, computed and kept on a miss. */
  get(key: string, compute: () => V): V;
  delete(key: string): void;
  readonly size: number;
}

export function createRecentCache<V>(capacity: number): RecentCache<V> {
  const entries = new Map<string, V>();
  return {
    get(key, compute) {
      let value: V;
      if (entries.has(key)) {
        value = entries.get(key) as V;
        entries.delete(key);
      } else {
        value = compute();
        if (entries.size >= capacity) entries.delete(entries.keys().next().value!);
      }
      entries.set(key, value);
      return value;
    },
    delete: (key) => void entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}
