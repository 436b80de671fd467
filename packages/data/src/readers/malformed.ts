import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { MalformedLine } from '../types';

export interface MalformedCollectorOptions {
  /** Throw at the first malformed line instead of counting it. */
  strict?: boolean;
  /** How many malformed lines to keep for the report (default 5). */
  maxSamples?: number;
}

export const DEFAULT_MAX_SAMPLES = 5;

/**
 * Counts rejected lines and keeps the first few as samples. Reasons name the
 * field and what was wrong with it, never the line's content (review text is
 * user data and does not belong in logs or reports).
 */
export class MalformedCollector {
  private readonly strict: boolean;
  private readonly maxSamples: number;
  private readonly kept: MalformedLine[] = [];
  private total = 0;

  constructor(options: MalformedCollectorOptions = {}) {
    const maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
    if (!Number.isInteger(maxSamples) || maxSamples < 0) {
      throw new InvalidArgumentError(
        `maxSamples must be a non-negative integer, got ${String(options.maxSamples)}`,
      );
    }
    this.strict = options.strict ?? false;
    this.maxSamples = maxSamples;
  }

  /** Record a malformed line; in strict mode this throws InvalidArgumentError instead. */
  add(file: string, line: number, reason: string): void {
    if (this.strict) {
      throw new InvalidArgumentError(`malformed line at ${file}:${line}: ${reason}`);
    }
    this.total++;
    if (this.kept.length < this.maxSamples) this.kept.push({ file, line, reason });
  }

  get count(): number {
    return this.total;
  }

  /** The first `maxSamples` malformed lines, in the order they were seen. */
  get samples(): MalformedLine[] {
    return this.kept.slice();
  }
}
