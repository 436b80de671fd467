import type { ReadOptions, ReadReport, SourceFile } from '../types';
import { forEachLine, type TextEncoding } from './line-source';
import { MalformedCollector } from './malformed';

export interface EachLineOptions {
  encoding?: TextEncoding;
  /** Receives the first non-blank line instead of `onLine`; it is not counted as data. */
  onHeader?: (line: string, lineNo: number) => void;
}

/** A data line's handler: return a reason string to reject the line as malformed. */
export type DataLineHandler = (line: string, lineNo: number) => string | void;

/**
 * The bookkeeping one reader run shares across its files: which files were
 * read, how many data lines were examined, and which were rejected.
 */
export class ReadContext {
  readonly malformed: MalformedCollector;
  private readonly files: SourceFile[] = [];
  private readonly counts = new Map<string, { lines: number; malformed: number }>();
  private lines = 0;

  constructor(options: ReadOptions = {}) {
    this.malformed = new MalformedCollector(options);
  }

  /** Read one file; blank lines are skipped, everything else is a data line (or the header). */
  async eachLine(
    path: string,
    onLine: DataLineHandler,
    options: EachLineOptions = {},
  ): Promise<void> {
    let headerPending = options.onHeader !== undefined;
    const counts = this.countsOf(path);
    const file = await forEachLine(path, { encoding: options.encoding }, (line, lineNo) => {
      if (isBlank(line)) return;
      if (headerPending) {
        headerPending = false;
        options.onHeader?.(line, lineNo);
        return;
      }
      this.lines++;
      counts.lines++;
      const reason = onLine(line, lineNo);
      if (reason !== undefined) this.reject(path, lineNo, reason);
    });
    this.files.push(file);
  }

  /** Reject a line outside `eachLine` (e.g. found inconsistent after the whole file was read). */
  reject(file: string, line: number, reason: string): void {
    this.malformed.add(file, line, reason);
    this.countsOf(file).malformed++;
  }

  private countsOf(path: string): { lines: number; malformed: number } {
    let c = this.counts.get(path);
    if (c === undefined) {
      c = { lines: 0, malformed: 0 };
      this.counts.set(path, c);
    }
    return c;
  }

  report(): ReadReport {
    return {
      files: this.files.slice(),
      lines: this.lines,
      malformed: this.malformed.count,
      malformedSamples: this.malformed.samples,
      byFile: [...this.counts].map(([path, c]) => ({ path, ...c })),
    };
  }
}

function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  // Only lines starting with whitespace can be blank; skip the trim otherwise.
  return (c === 32 || c === 9 || c === 13 || c === 0xa0 || c === 0xfeff) && line.trim() === '';
}
