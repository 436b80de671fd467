import type { CallOptions } from '@grpc/grpc-js';
import { DeadlineExceededError } from './errors';

/** What deadline helpers need from a call context. */
export interface DeadlineSource {
  /** Absolute deadline, unix milliseconds; undefined when the client set none. */
  readonly deadline: number | undefined;
}

/** grpc-js reports "no deadline" as Infinity; Dates and numbers become unix milliseconds. */
export function deadlineMs(deadline: Date | number | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Milliseconds left before the deadline (Infinity without one, never negative). */
export function remainingMs(source: DeadlineSource, now: number = Date.now()): number {
  if (source.deadline === undefined) return Infinity;
  return Math.max(0, source.deadline - now);
}

/**
 * Throw DeadlineExceededError when the deadline has passed. Call it between
 * expensive steps (batches, model runs) so a timed-out request stops using CPU;
 * `what` names the step in the message.
 */
export function checkDeadline(
  source: DeadlineSource,
  what = 'request',
  now: number = Date.now(),
): void {
  if (source.deadline !== undefined && now >= source.deadline) {
    throw new DeadlineExceededError(
      `deadline exceeded before ${what} (by ${now - source.deadline} ms)`,
    );
  }
}

export interface DownstreamDeadlineOptions {
  /** Time kept back for this service to finish after the downstream call returns (default 10 ms). */
  marginMs?: number;
  /** Deadline used when the incoming call has none, relative ms (default: none). */
  defaultTimeoutMs?: number;
  now?: number;
}

/**
 * Call options for a downstream call made while serving `source`: the
 * incoming deadline minus a margin, so the chain gives up together instead of
 * each hop waiting its own full timeout. Throws if nothing is left.
 */
export function downstreamCallOptions(
  source: DeadlineSource,
  options: DownstreamDeadlineOptions = {},
): Partial<CallOptions> {
  const now = options.now ?? Date.now();
  const margin = options.marginMs ?? 10;
  if (source.deadline === undefined) {
    return options.defaultTimeoutMs === undefined
      ? {}
      : { deadline: new Date(now + options.defaultTimeoutMs) };
  }
  const deadline = source.deadline - margin;
  if (deadline <= now) {
    throw new DeadlineExceededError(
      `deadline exceeded: ${source.deadline - now} ms left, ${margin} ms margin needed`,
    );
  }
  return { deadline: new Date(deadline) };
}
