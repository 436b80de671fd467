/**
 * A map that keeps only the `capacity` most recently used entries: a lookup
 * that finds its key makes it the most recent; adding past the capacity
 * drops the least recent. Map iteration order is insertion order, so
 * re-inserting an entry on use keeps the oldest first.
 */
export interface RecentCache<V> {
  /** The value of `key`, computed and kept on a miss. */
  get(key: string, compute: () => V): V;
  /** Drops `key`; with `only`, just while `key` still holds that very value. */
  delete(key: string, only?: V): void;
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
    delete(key, ...only) {
      if (only.length === 0 || entries.get(key) === only[0]) entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * Recent runs of an async computation, pending or done, by key: a get while
 * a run is pending shares it, and a failed run is forgotten (the next get
 * runs again) unless a newer run already took its key.
 */
export interface RecentRuns<V> {
  get(key: string, run: () => Promise<V>): Promise<V>;
  readonly size: number;
}

export function createRecentRuns<V>(capacity: number): RecentRuns<V> {
  const runs = createRecentCache<Promise<V>>(capacity);
  return {
    get: (key, run) =>
      runs.get(key, () => {
        const pending = run();
        pending.catch(() => runs.delete(key, pending));
        return pending;
      }),
    get size() {
      return runs.size;
    },
  };
}
