import { jobOutcome } from './dag';
import { statusCodeOf, type Job, type KubeApi, type WatchEvent } from './types';

export interface TrackerOptions {
  api: KubeApi;
  labelSelector: string;
  log: (line: string) => void;
  /** Back-off after a failed list or watch: initial, doubled per failure up to max (ms). */
  backoff?: { initialMs: number; maxMs: number };
}

type Outcome = 'succeeded' | 'failed';

/**
 * Follows the Jobs of one run: list, then watch from the list's
 * resourceVersion; a watch that ends normally is resumed from the last seen
 * resourceVersion; 410 Gone (the version was compacted) means a fresh list;
 * any other error backs off and re-lists. Callers wait for one Job's outcome.
 */
export class JobTracker {
  readonly stats = { lists: 0, watches: 0, gone: 0, errors: 0 };
  private readonly states = new Map<string, Job>();
  private readonly waiters = new Map<string, ((o: Outcome) => void)[]>();
  private resourceVersion = '';
  private current?: { stop(): void };
  private stopped = false;
  private failures = 0;

  constructor(private readonly o: TrackerOptions) {}

  async start(): Promise<void> {
    await this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.current?.stop();
  }

  /** Resolves when the named Job has completed or failed (immediately if it already has). */
  wait(name: string): Promise<Outcome> {
    const known = this.states.get(name);
    const outcome = known && jobOutcome(known);
    if (outcome && outcome !== 'running') return Promise.resolve(outcome);
    return new Promise((resolve) =>
      this.waiters.set(name, [...(this.waiters.get(name) ?? []), resolve]),
    );
  }

  private update(job: Job): void {
    this.states.set(job.metadata.name, job);
    const outcome = jobOutcome(job);
    if (outcome === 'running') return;
    const waiting = this.waiters.get(job.metadata.name);
    if (!waiting) return;
    this.waiters.delete(job.metadata.name);
    for (const w of waiting) w(outcome);
  }

  private async relist(): Promise<void> {
    while (!this.stopped) {
      try {
        this.stats.lists++;
        const list = await this.o.api.listJobs(this.o.labelSelector);
        for (const job of list.items) this.update(job);
        this.resourceVersion = list.resourceVersion;
        await this.watch();
        this.failures = 0;
        return;
      } catch (err) {
        await this.backoff(`list/watch failed (${(err as Error).message})`);
      }
    }
  }

  private async watch(): Promise<void> {
    this.stats.watches++;
    let ended = false;
    const end = (err: unknown) => {
      if (ended || this.stopped) return;
      ended = true;
      this.current?.stop();
      if (statusCodeOf(err) === 410) {
        this.stats.gone++;
        this.o.log(`watch: resourceVersion ${this.resourceVersion} expired (410 Gone); re-listing`);
        void this.relist();
      } else if (err) {
        void this.backoff(`watch ended with an error (${(err as Error).message ?? err})`).then(() =>
          this.relist(),
        );
      } else {
        void this.watch().catch(() => this.relist());
      }
    };
    this.current = await this.o.api.watchJobs(
      this.o.labelSelector,
      this.resourceVersion,
      (e: WatchEvent<Job>) => {
        if (e.type === 'ERROR') {
          end(
            Object.assign(new Error(e.object.message ?? 'watch error'), {
              statusCode: e.object.code,
            }),
          );
          return;
        }
        const rv = e.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (e.type !== 'BOOKMARK') this.update(e.object);
      },
      end,
    );
  }

  private async backoff(reason: string): Promise<void> {
    this.stats.errors++;
    const { initialMs, maxMs } = this.o.backoff ?? { initialMs: 200, maxMs: 10_000 };
    const delay = Math.min(maxMs, initialMs * 2 ** this.failures++);
    this.o.log(`watch: ${reason}; retrying in ${delay} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
