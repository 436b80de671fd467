import { rankOfTarget, reportFromRanks, type MetricReport } from '@thoughtspace/metrics';
import { InvalidArgumentError } from '@thoughtspace/runtime';

/** Half of a join: a prediction or a ground-truth interaction, waiting for its partner. */
export type Half =
  | {
      kind: 'prediction';
      requestId: string;
      userId: string;
      /** Event time (Kafka record timestamp, ms) used for the TTL. */
      at: number;
      candidates: string[];
      scores: number[];
      /** Model version that scored it (Prediction.model_version); absent = unknown. */
      version?: string;
    }
  | { kind: 'interaction'; requestId: string; userId: string; at: number; itemId: string };

export interface StreamCounts {
  predictionsRead: number;
  interactionsRead: number;
  joined: number;
  duplicates: number;
  expired: number;
  rejected: number;
}

/** Everything the evaluator must not lose: written whole into each checkpoint. */
export interface JoinSnapshot {
  /**
   * Counted request ids in join order: [requestId, userId, rank] plus the
   * model version when the prediction named one; rank 0 = rejected.
   */
  done: ([string, string, number] | [string, string, number, string])[];
  /** Halves waiting for their partner, oldest first. */
  buffer: Half[];
  counts: StreamCounts;
  /** Highest event time seen: the clock of the TTL, so expiry is the same on a replay. */
  watermark: number;
}

export interface JoinStateOptions {
  /** How long (event time, ms) a half waits for its partner (default 10 minutes). */
  ttlMs?: number;
  /** Most halves buffered; beyond it the oldest is expired (default 100,000). */
  maxBuffered?: number;
  /** Cases in the sliding window (default 1000). */
  window?: number;
  restore?: JoinSnapshot;
}

export interface JoinResult {
  outcome: 'joined' | 'buffered' | 'duplicate' | 'rejected';
  reason?: string;
}

/**
 * The streaming evaluator's join of predictions with ground truth, keyed by
 * request id. Either half may arrive first; a request id is counted at most
 * once, whatever is redelivered. Reports use the same functions as
 * `thoughtspace eval` (rankOfTarget, reportFromRanks) over the cases in a
 * canonical order (user id, then request id), so the numbers do not depend
 * on arrival order across partitions.
 */
export class JoinState {
  private readonly ttlMs: number;
  private readonly maxBuffered: number;
  readonly window: number;
  private readonly done = new Map<string, { userId: string; rank: number; version?: string }>();
  private readonly buffer = new Map<string, Half>();
  private counts: StreamCounts;
  private watermark: number;

  constructor(options: JoinStateOptions = {}) {
    this.ttlMs = options.ttlMs ?? 600_000;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.window = options.window ?? 1000;
    for (const [name, v] of Object.entries({
      ttlMs: this.ttlMs,
      maxBuffered: this.maxBuffered,
      window: this.window,
    })) {
      if (!Number.isInteger(v) || v < 1) {
        throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
      }
    }
    const s = options.restore;
    this.counts = s
      ? { ...s.counts }
      : {
          predictionsRead: 0,
          interactionsRead: 0,
          joined: 0,
          duplicates: 0,
          expired: 0,
          rejected: 0,
        };
    this.watermark = s?.watermark ?? 0;
    for (const [id, userId, rank, version] of s?.done ?? [])
      this.done.set(id, version ? { userId, rank, version } : { userId, rank });
    for (const h of s?.buffer ?? []) this.buffer.set(h.requestId, h);
  }

  /** Add one half; joins it when its partner is buffered. */
  add(half: Half): JoinResult {
    if (half.kind === 'prediction') this.counts.predictionsRead++;
    else this.counts.interactionsRead++;
    this.watermark = Math.max(this.watermark, half.at);
    const id = half.requestId;
    const waiting = this.buffer.get(id);
    if (this.done.has(id) || (waiting && waiting.kind === half.kind)) {
      this.counts.duplicates++;
      return { outcome: 'duplicate' };
    }
    if (!waiting) {
      this.buffer.set(id, half);
      this.expire();
      return { outcome: 'buffered' };
    }
    this.buffer.delete(id);
    const p =
      half.kind === 'prediction' ? half : (waiting as Extract<Half, { kind: 'prediction' }>);
    const i =
      half.kind === 'interaction' ? half : (waiting as Extract<Half, { kind: 'interaction' }>);
    const index = p.candidates.indexOf(i.itemId);
    this.expire();
    if (index < 0) {
      this.done.set(id, { userId: p.userId, rank: 0 });
      this.counts.rejected++;
      return {
        outcome: 'rejected',
        reason: `ground truth ${i.itemId} is not among the candidates`,
      };
    }
    const rank = rankOfTarget(p.scores, index);
    this.done.set(
      id,
      p.version ? { userId: p.userId, rank, version: p.version } : { userId: p.userId, rank },
    );
    this.counts.joined++;
    return { outcome: 'joined' };
  }

  /** Drop halves older than the TTL (event time) and beyond the bound, oldest first. */
  private expire(): void {
    for (const [id, h] of this.buffer) {
      if (this.buffer.size <= this.maxBuffered && this.watermark - h.at <= this.ttlMs) break;
      this.buffer.delete(id);
      this.counts.expired++;
    }
  }

  counters(): StreamCounts & { buffered: number } {
    return { ...this.counts, buffered: this.buffer.size };
  }

  /** Counted request ids (joined or rejected), in join order. */
  countedIds(): string[] {
    return [...this.done.keys()];
  }

  /** Model versions named by joined cases, sorted. */
  versions(): string[] {
    const out = new Set<string>();
    for (const c of this.done.values()) if (c.version && c.rank > 0) out.add(c.version);
    return [...out].sort();
  }

  /**
   * Ranks of joined cases in canonical order (user id, then request id);
   * `last` = only the most recent n joins; `version` = only that model
   * version's cases (the window then counts that version's joins).
   */
  ranks(last?: number, version?: string): Int32Array {
    let cases = [...this.done].filter(
      ([, c]) => c.rank > 0 && (version === undefined || c.version === version),
    );
    if (last !== undefined) cases = cases.slice(Math.max(0, cases.length - last));
    cases.sort(([ia, a], [ib, b]) =>
      a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0,
    );
    return Int32Array.from(cases, ([, c]) => c.rank);
  }

  /** Cumulative and sliding-window reports; undefined while no case has joined. */
  report(
    bootstrap: { seed: number; resamples: number },
    version?: string,
  ): {
    cumulative?: MetricReport;
    window?: MetricReport;
  } {
    const all = this.ranks(undefined, version);
    if (all.length === 0) return {};
    return {
      cumulative: reportFromRanks(all, bootstrap),
      window: reportFromRanks(this.ranks(this.window, version), bootstrap),
    };
  }

  snapshot(): JoinSnapshot {
    return {
      done: [...this.done].map(([id, c]) =>
        c.version ? [id, c.userId, c.rank, c.version] : [id, c.userId, c.rank],
      ),
      buffer: [...this.buffer.values()],
      counts: { ...this.counts },
      watermark: this.watermark,
    };
  }
}
