import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { RawDataset, ReadOptions, ReadReport } from '../types';
import { formatHint, sniffLines } from './sniff';

/** The share of malformed data lines above which a read fails, unless `maxMalformed` says otherwise. */
export const DEFAULT_MAX_MALFORMED = 0.1;

/**
 * Fail a read that did not produce a dataset worth preprocessing: nothing
 * parsed at all, or more than `maxMalformed` of the data lines of any one of
 * its files malformed.
 * The error carries the malformed-line report (file, line number, reason;
 * never line content) and, when the first source file's lines suggest it,
 * a hint about the format they look like.
 */
export async function checkReadReport(raw: RawDataset, options: ReadOptions = {}): Promise<void> {
  const max = maxMalformedOf(options);
  const r = raw.report;
  // The worst file decides: a large clean catalogue must not hide a broken interactions file.
  const files = r.byFile?.filter((f) => f.lines > 0) ?? [];
  const overall = {
    path: r.files.map((f) => f.path).join(', '),
    lines: r.lines,
    malformed: r.malformed,
  };
  const share = (f: { lines: number; malformed: number }): number =>
    f.lines === 0 ? 0 : f.malformed / f.lines;
  const worst = files.reduce((a, b) => (share(b) > share(a) ? b : a), files[0] ?? overall);
  if (raw.interactions.length > 0 && share(worst) <= max) return;
  const n = (x: number): string => x.toLocaleString('en-US');
  const where = overall.path || 'the source files';
  const head =
    raw.interactions.length === 0
      ? `no interactions could be read from ${where} (${n(r.lines)} data lines, ${n(r.malformed)} malformed)`
      : `${n(worst.malformed)} of ${n(worst.lines)} data lines (${percent(share(worst))}) in ${worst.path || where} are malformed, more than the ${percent(max)} allowed (--max-malformed)`;
  const hint = await hintFor(raw.reader, r);
  throw new InvalidArgumentError(
    [`${head}; reader ${raw.reader}`, ...samples(r), ...(hint ? [`hint: ${hint}`] : [])].join('\n'),
  );
}

/** `options.maxMalformed` or its default, checked: a number from 0 to 1. */
export function maxMalformedOf(options: ReadOptions): number {
  const max = options.maxMalformed ?? DEFAULT_MAX_MALFORMED;
  if (!(typeof max === 'number' && max >= 0 && max <= 1))
    throw new InvalidArgumentError(`maxMalformed must be a number from 0 to 1, got ${String(max)}`);
  return max;
}

function samples(r: ReadReport): string[] {
  if (r.malformedSamples.length === 0) return [];
  return [
    `first malformed lines:`,
    ...r.malformedSamples.map((s) => `  ${s.file}:${s.line}: ${s.reason}`),
  ];
}

async function hintFor(reader: string, r: ReadReport): Promise<string | undefined> {
  // The first file a reader opens holds the interactions (catalogues come after).
  const first = r.files[0]?.path;
  if (first === undefined || /\.gz$/.test(first)) return undefined;
  try {
    return formatHint(await sniffLines(first), reader);
  } catch {
    return undefined; // a hint is a courtesy; the error above stands without it
  }
}

function percent(x: number): string {
  const one = (100 * x).toFixed(1);
  // Never round a partial share to 0.0% or 100.0%.
  if ((one === '100.0' && x < 1) || (one === '0.0' && x > 0)) return `${(100 * x).toFixed(2)}%`;
  return `${one}%`;
}
