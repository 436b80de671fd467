import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  createLatencyHistogram,
  percentileCurve,
  recordMs,
  summarize,
  type LatencySummary,
} from './histogram';

/** One request of a scenario; rejects on failure (a gRPC error carries `code`). */
export type Call = (i: number) => Promise<unknown>;

export interface RunResult {
  mode: 'open' | 'closed';
  /** Open loop: the target arrival rate (requests/s). */
  rate?: number;
  /** Closed loop: the number of workers, each waiting for its answer before sending again. */
  concurrency?: number;
  durationSeconds: number;
  /** Open loop: requests the schedule called for. */
  intended: number;
  sent: number;
  ok: number;
  /** Failed requests by gRPC status name (or "error"). */
  errors: Record<string, number>;
  /** Open loop: requests not sent because `maxInFlight` were outstanding (counted, never hidden). */
  dropped: number;
  achievedPerSecond: number;
  /** Successful requests only. Open loop: measured from the *intended* send time. */
  latency: LatencySummary;
  curve: { percentile: number; ms: number }[];
}

const now = () => performance.now();

function errorName(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number' && GrpcStatus[code]) return GrpcStatus[code];
  return 'error';
}

export interface OpenLoopOptions {
  /** Arrivals per second, fixed. */
  rate: number;
  durationSeconds: number;
  call: Call;
  /** Cap on outstanding requests; arrivals past it are dropped and counted (default 10,000). */
  maxInFlight?: number;
  /** How long to wait for stragglers after the last arrival (default 30 s). */
  drainSeconds?: number;
}

/**
 * Open loop at a constant arrival rate. Request i is due at start + i / rate
 * whether or not earlier ones have answered, and its latency is measured from
 * that due time, not from when the event loop got round to sending it — so a
 * stalled server or a busy client shows up in the percentiles instead of
 * silently lowering the offered load (coordinated omission).
 */
export async function runOpenLoop(o: OpenLoopOptions): Promise<RunResult> {
  if (!(o.rate > 0)) throw new RangeError(`rate must be > 0, got ${o.rate}`);
  const total = Math.max(1, Math.round(o.rate * o.durationSeconds));
  const maxInFlight = o.maxInFlight ?? 10_000;
  const hist = createLatencyHistogram();
  const errors: Record<string, number> = {};
  let next = 0;
  let inFlight = 0;
  let ok = 0;
  let sent = 0;
  let dropped = 0;
  const pending = new Set<Promise<void>>();
  const start = now();
  const dueAt = (i: number) => start + (i * 1000) / o.rate;

  const fire = (i: number) => {
    const due = dueAt(i);
    inFlight++;
    sent++;
    const p = o
      .call(i)
      .then(
        () => {
          ok++;
          recordMs(hist, now() - due);
        },
        (err: unknown) => {
          const name = errorName(err);
          errors[name] = (errors[name] ?? 0) + 1;
        },
      )
      .finally(() => {
        inFlight--;
        pending.delete(p);
      });
    pending.add(p);
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const t = now();
      while (next < total && dueAt(next) <= t) {
        if (inFlight >= maxInFlight) dropped++;
        else fire(next);
        next++;
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, dueAt(next) - now()));
    };
    tick();
  });
  const sendingSeconds = (now() - start) / 1000;
  await Promise.race([
    Promise.all(pending),
    new Promise((r) => setTimeout(r, (o.drainSeconds ?? 30) * 1000).unref()),
  ]);
  const unfinished = pending.size;
  if (unfinished) errors.unfinished = unfinished;
  return {
    mode: 'open',
    rate: o.rate,
    durationSeconds: sendingSeconds,
    intended: total,
    sent,
    ok,
    errors,
    dropped,
    achievedPerSecond: ok / Math.max(sendingSeconds, 1e-9),
    latency: summarize(hist),
    curve: percentileCurve(hist),
  };
}

export interface ClosedLoopOptions {
  concurrency: number;
  durationSeconds: number;
  call: Call;
}

/**
 * Closed loop: `concurrency` workers, each sends its next request only after
 * the previous answered. Latency is from the actual send; a slow server
 * lowers the offered load instead of showing up in the tail — shown beside
 * the open loop to make that difference visible.
 */
export async function runClosedLoop(o: ClosedLoopOptions): Promise<RunResult> {
  const hist = createLatencyHistogram();
  const errors: Record<string, number> = {};
  let sent = 0;
  let ok = 0;
  const start = now();
  const end = start + o.durationSeconds * 1000;
  const worker = async () => {
    while (now() < end) {
      const i = sent++;
      const t0 = now();
      try {
        await o.call(i);
        ok++;
        recordMs(hist, now() - t0);
      } catch (err) {
        const name = errorName(err);
        errors[name] = (errors[name] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (now() - start) / 1000;
  return {
    mode: 'closed',
    concurrency: o.concurrency,
    durationSeconds: seconds,
    intended: sent,
    sent,
    ok,
    errors,
    dropped: 0,
    achievedPerSecond: ok / seconds,
    latency: summarize(hist),
    curve: percentileCurve(hist),
  };
}
