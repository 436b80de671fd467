import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { RawDataset, ReadOptions, ReadReport } from '../types';
import { formatHint, sniffLines } from './sniff';

/** The share of malformed data lines above which a read fails, unless `maxMalformed` says otherwise. */
export const DEFAULT_MAX_MALFORMED = 0.1;

/**
 * Fail a read that did not produce a dataset worth preprocessing: nothing
 * parsed at all, or more than `maxMalformed` of its data lines malformed.
 * The error carries the malformed-line report (file, line number, reason;
 * never line content) and, when the first source file's lines suggest it,
 * a hint about the format they look like.
 */
export async function checkReadReport(raw: RawDataset, options: ReadOptions = {}): Promise<void> {
  const max = maxMalformedOf(options);
  const r = raw.report;
  const share = r.lines === 0 ? 0 : r.malformed / r.lines;
  if (raw.interactions.length > 0 && share <= max) return;
  const where = r.files.map((f) => f.path).join(', ') || 'the source files';
  const head =
    raw.interactions.length === 0
      ? `no interactions could be read from ${where} (${r.lines.toLocaleString('en-US')} data lines, ${r.malformed.toLocaleString('en-US')} malformed)`
      : `${r.malformed.toLocaleString('en-US')} of ${r.lines.toLocaleString('en-US')} data lines (${percent(share)}) in ${where} are malformed, more than the ${percent(max)} allowed (--max-malformed)`;
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
  const first = r.files[0]?.path;
  if (first === undefined || /\.gz$/.test(first)) return undefined;
  try {
    return formatHint(await sniffLines(first), reader);
  } catch {
    return undefined; // a hint is a courtesy; the error above stands without it
  }
}

function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}
