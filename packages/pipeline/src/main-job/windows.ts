import { words } from '@thoughtspace/encoder';

/** Length distribution (in encoder tokens = words) of one tower's texts, and the window chosen. */
export interface LengthReport {
  texts: number;
  p50: number;
  p90: number;
  p95: number;
  max: number;
  /** Tokens the tower reads. */
  window: number;
  /** Share of texts longer than the window (they lose their end for E1, their start for E2). */
  truncatedShare: number;
  /** The fixed window used before (48 for E1, 64 for E2) and the share it truncated. */
  previousWindow: number;
  truncatedShareAtPrevious: number;
}

export const PREVIOUS_WINDOWS = { rationale: 48, behaviour: 64 } as const;
/** Longest window the main job picks (attention cost grows with its square). */
export const MAX_WINDOW = 192;

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * The window that covers `coverage` of the texts (rounded up to a multiple
 * of 8, at least 16, at most MAX_WINDOW), with the distribution it came from.
 */
export function sizeWindow(
  texts: readonly string[],
  previousWindow: number,
  coverage = 0.95,
): LengthReport {
  const lengths = texts.map((t) => words(t).length).sort((a, b) => a - b);
  const p = quantile(lengths, coverage);
  const window = Math.min(MAX_WINDOW, Math.max(16, Math.ceil(p / 8) * 8));
  const share = (w: number) =>
    lengths.length === 0 ? 0 : lengths.filter((x) => x > w).length / lengths.length;
  return {
    texts: lengths.length,
    p50: quantile(lengths, 0.5),
    p90: quantile(lengths, 0.9),
    p95: quantile(lengths, 0.95),
    max: lengths.at(-1) ?? 0,
    window,
    truncatedShare: share(window),
    previousWindow,
    truncatedShareAtPrevious: share(previousWindow),
  };
}
