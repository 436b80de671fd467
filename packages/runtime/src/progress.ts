/**
 * Progress for long work: a bar redrawn in place on a TTY, periodic lines with
 * rate and ETA otherwise (CI logs, pipes). Writes to stderr so stdout stays
 * machine-readable.
 */
export interface ProgressOptions {
  label: string;
  /** Total units of work, when known. */
  total?: number;
  /** Unit name for the rate, e.g. "lines" or "users". */
  unit?: string;
  /** Where to write; defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Minimum milliseconds between non-TTY lines (default 5000). */
  intervalMs?: number;
  /** Silence all output (tests, --quiet). */
  silent?: boolean;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export interface Progress {
  /** Advance by `n` units (default 1). */
  tick(n?: number): void;
  /** Set the absolute number of units done. */
  update(done: number): void;
  /** Print the final line with elapsed time and rate. */
  done(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => Date.now());
  const interval = options.intervalMs ?? 5000;
  const unit = options.unit ?? 'items';
  const tty = Boolean(stream.isTTY);
  const start = now();
  let doneUnits = 0;
  let lastDraw = start;
  let finished = false;

  const line = (final: boolean): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? doneUnits / elapsed : 0;
    const rateText = `${rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1)} ${unit}/s`;
    const total = options.total;
    if (final) {
      return `${options.label}: ${formatCount(doneUnits)} ${unit} in ${formatDuration(elapsed)} (${rateText})`;
    }
    if (total === undefined || total <= 0) {
      return `${options.label}: ${formatCount(doneUnits)} ${unit}, ${rateText}, ${formatDuration(elapsed)} elapsed`;
    }
    const frac = Math.min(1, doneUnits / total);
    const eta = rate > 0 ? (total - doneUnits) / rate : Infinity;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return `${options.label}: ${bar}${(frac * 100).toFixed(0)}% ${formatCount(doneUnits)}/${formatCount(total)} ${unit}, ${rateText}, ETA ${formatDuration(eta)}`;
  };

  const draw = (force: boolean): void => {
    if (options.silent || finished) return;
    const t = now();
    if (!force && t - lastDraw < (tty ? 100 : interval)) return;
    lastDraw = t;
    stream.write(tty ? `\r\x1b[2K${line(false)}` : `${line(false)}\n`);
  };

  return {
    tick(n = 1) {
      doneUnits += n;
      draw(false);
    },
    update(value: number) {
      doneUnits = value;
      draw(false);
    },
    done() {
      if (options.silent || finished) return;
      finished = true;
      stream.write(tty ? `\r\x1b[2K${line(true)}\n` : `${line(true)}\n`);
    },
  };
}
