import { isRetriable } from './errors';

export interface BackoffOptions {
  /** First wait (default 100 ms); doubles each attempt up to maxMs. */
  initialMs?: number;
  maxMs?: number;
  /** Attempts before the error is thrown on (default 8). */
  attempts?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run `fn`, retrying retriable errors with exponential backoff (full jitter
 * avoided: tests and logs read better with a fixed schedule). `onRetry` runs
 * before each wait (e.g. pause the partition, heartbeat).
 */
export async function withBackoff<T>(
  fn: () => Promise<T>,
  options: BackoffOptions & {
    retriable?: (err: unknown) => boolean;
    onRetry?: (err: unknown, attempt: number, waitMs: number) => Promise<void> | void;
  } = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  const retriable = options.retriable ?? isRetriable;
  let wait = options.initialMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !retriable(err)) throw err;
      await options.onRetry?.(err, attempt, wait);
      await sleep(wait);
      wait = Math.min(wait * 2, options.maxMs ?? 5000);
    }
  }
}

/** Run tasks with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
  return out;
}
