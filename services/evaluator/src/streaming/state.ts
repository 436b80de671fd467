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

/**
 * The joined cases (rank > 0) in join order, as compact columns: what a
 * report needs, cheap to copy to a worker thread.
 */
export interface JoinedCases {
  requestIds: string[];
  userIds: string[];
  ranks: Int32Array;
  /** Model version per case; '' when the prediction named none. */
  versions: string[];
}

/** Cumulative and sliding-window reports; both absent while no case has joined. */
export interface WindowReports {
  cumulative?: MetricReport;
  window?: MetricReport;
}

/** Reports overall and per model version. */
export interface Reports extends WindowReports {
  /** The same two reports over each model version's own cases (the window counts that version's joins). */
  versions?: Record<string, WindowReports>;
}

/**
 * Ranks in canonical order (user id, then request id) of the joined cases
 * (of one model version's when `version` is given), or of only the most
 * recent `last` of them. The order does not depend on arrival order across
 * partitions, so the bootstrap's draws do not either.
 */
export function canonicalRanks(cases: JoinedCases, last?: number, version?: string): Int32Array {
  let order = Array.from(cases.ranks, (_, i) => i);
  if (version !== undefined) order = order.filter((i) => cases.versions[i] === version);
  if (last !== undefined) order = order.slice(Math.max(0, order.length - last));
  const { requestIds: ids, userIds: users } = cases;
  order.sort((x, y) => {
    const a = users[x];
    const b = users[y];
    if (a !== b) return a < b ? -1 : 1;
    return ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0;
  });
  return Int32Array.from(order, (i) => cases.ranks[i]);
}

/** Model versions named by the joined cases, sorted. */
export function versionsOf(cases: Pick<JoinedCases, 'versions'>): string[] {
  return [...new Set(cases.versions.filter((v) => v !== ''))].sort();
}

/** Cumulative and sliding-window reports of the joined cases (of one version's); empty while none has joined. */
export function reportsFor(
  cases: JoinedCases,
  window: number,
  bootstrap: { seed: number; resamples: number },
  version?: string,
): WindowReports {
  const all = canonicalRanks(cases, undefined, version);
  if (all.length === 0) return {};
  return {
    cumulative: reportFromRanks(all, bootstrap),
    window: reportFromRanks(canonicalRanks(cases, window, version), bootstrap),
  };
}

/** Reports overall and per model version (GetMetrics judges a rollout on its own cases). */
export function reportsOf(
  cases: JoinedCases,
  window: number,
  bootstrap: { seed: number; resamples: number },
): Reports {
  const overall = reportsFor(cases, window, bootstrap);
  const versions = versionsOf(cases);
  if (versions.length === 0) return overall;
  return {
    ...overall,
    versions: Object.fromEntries(versions.map((v) => [v, reportsFor(cases, window, bootstrap, v)])),
  };
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
  /** The first buffered half in insertion order (the next to expire), so expire() is O(1) when nothing is due. */
  private first: Half | undefined;
  /** Joined cases (rank > 0) in join order, kept as columns for reports. */
  private joinedIds: string[] = [];
  private joinedUsers: string[] = [];
  private joinedRanks = new Int32Array(1024);
  private joinedVersions: string[] = [];
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
    for (const [id, userId, rank, version] of s?.done ?? []) this.record(id, userId, rank, version);
    for (const h of s?.buffer ?? []) this.buffer.set(h.requestId, h);
    this.refreshFirst();
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
      this.first ??= half;
      this.expire();
      return { outcome: 'buffered' };
    }
    this.buffer.delete(id);
    if (waiting === this.first) this.refreshFirst();
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
    this.record(id, p.userId, rankOfTarget(p.scores, index), p.version);
    this.counts.joined++;
    return { outcome: 'joined' };
  }

  private record(id: string, userId: string, rank: number, version?: string): void {
    this.done.set(id, version ? { userId, rank, version } : { userId, rank });
    if (rank <= 0) return;
    const n = this.joinedIds.length;
    if (n === this.joinedRanks.length) {
      const grown = new Int32Array(2 * n);
      grown.set(this.joinedRanks);
      this.joinedRanks = grown;
    }
    this.joinedRanks[n] = rank;
    this.joinedIds.push(id);
    this.joinedUsers.push(userId);
    this.joinedVersions.push(version ?? '');
  }

  /** Drop halves older than the TTL (event time) and beyond the bound, oldest first. */
  private expire(): void {
    const due = (h: Half): boolean =>
      this.buffer.size > this.maxBuffered || this.watermark - h.at > this.ttlMs;
    if (!this.first || !due(this.first)) return;
    for (const [id, h] of this.buffer) {
      if (!due(h)) break;
      this.buffer.delete(id);
      this.counts.expired++;
    }
    this.refreshFirst();
  }

  private refreshFirst(): void {
    const next = this.buffer.values().next();
    this.first = next.done ? undefined : next.value;
  }

  counters(): StreamCounts & { buffered: number } {
    return { ...this.counts, buffered: this.buffer.size };
  }

  /** Counted request ids (joined or rejected), in join order. */
  countedIds(): string[] {
    return [...this.done.keys()];
  }

  /** The joined cases as columns, copied (a consistent view for a report computed elsewhere). */
  joinedCases(): JoinedCases {
    const n = this.joinedIds.length;
    return {
      requestIds: this.joinedIds.slice(),
      userIds: this.joinedUsers.slice(),
      ranks: this.joinedRanks.slice(0, n),
      versions: this.joinedVersions.slice(),
    };
  }

  /** Model versions named by joined cases, sorted. */
  versions(): string[] {
    return versionsOf({ versions: this.joinedVersions });
  }

  /**
   * Ranks of joined cases in canonical order (user id, then request id);
   * `last` = only the most recent n joins; `version` = only that model
   * version's cases (the window then counts that version's joins).
   */
  ranks(last?: number, version?: string): Int32Array {
    return canonicalRanks(this.joinedCases(), last, version);
  }

  /** Cumulative and sliding-window reports (of one version's cases); empty while no case has joined. */
  report(bootstrap: { seed: number; resamples: number }, version?: string): WindowReports {
    return reportsFor(this.joinedCases(), this.window, bootstrap, version);
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
