import { promises as fsp } from 'node:fs';
import { splitFields } from './ids';

/** How many bytes and lines `sniffLines` looks at. */
const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 200;

/** The shape of the first lines of a text file, for format detection and error hints. */
export interface LineShape {
  /** Non-blank lines looked at. */
  lines: number;
  /** Of those, lines with exactly 2 whitespace-separated fields. */
  twoFields: number;
  /** Lines with 3 or more fields. */
  moreFields: number;
  /** Distinct field counts among the lines with 3 or more fields. */
  distinctWide: number;
  /** Lines that start with `{` (JSON objects). */
  json: number;
  /** Lines with a comma and a single whitespace-separated field (comma-separated values). */
  csv: number;
}

/** Read the first lines of an uncompressed text file (at most 64 KiB, 200 lines) and describe them. */
export async function sniffLines(path: string): Promise<LineShape> {
  const handle = await fsp.open(path, 'r');
  let text: string;
  let full: boolean;
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    text = buf.subarray(0, bytesRead).toString('utf8');
    full = bytesRead === SNIFF_BYTES;
  } finally {
    await handle.close();
  }
  const lines = text.split('\n');
  // A full buffer ends mid-line, unless the file's first line is longer than the buffer.
  if (full && lines.length > 1) lines.pop();
  const shape: LineShape = {
    lines: 0,
    twoFields: 0,
    moreFields: 0,
    distinctWide: 0,
    json: 0,
    csv: 0,
  };
  const wide = new Set<number>();
  for (const raw of lines) {
    if (shape.lines >= SNIFF_LINES) break;
    const line = raw.trim();
    if (line === '') continue;
    shape.lines++;
    if (line.startsWith('{')) shape.json++;
    const n = splitFields(line).length;
    if (n === 2) shape.twoFields++;
    else if (n >= 3) {
      shape.moreFields++;
      wide.add(n);
    } else if (line.includes(',')) shape.csv++;
  }
  shape.distinctWide = wide.size;
  return shape;
}

/**
 * True when lines look like one sequence per user ("user item item ..."):
 * most have 3 or more fields, and their field counts vary (a fixed number of
 * columns is a table with extra columns, such as "user item timestamp").
 */
export function looksLikeSequences(shape: LineShape): boolean {
  if (shape.json > 0 || shape.moreFields * 2 <= shape.lines) return false;
  return shape.distinctWide > 1 || shape.moreFields < 3;
}

/** A one-line hint about what a file's lines look like, for errors about a mostly-malformed read. */
export function formatHint(shape: LineShape, reader: string): string | undefined {
  if (shape.lines === 0) return undefined;
  if (shape.json * 2 > shape.lines && !reader.startsWith('amazon'))
    return 'lines look like JSON objects: name Amazon 2018 reviews *.json and Amazon 2023 reviews *.jsonl';
  if (looksLikeSequences(shape) && reader !== 'sequences')
    return 'lines look like one sequence per user ("user item item ..."): use --format sequences';
  if (shape.twoFields * 2 > shape.lines && reader === 'sequences')
    return 'lines look like one "user item" pair per line: use --format pairs';
  if (shape.csv * 2 > shape.lines)
    return 'lines look like comma-separated values: the readers take whitespace-separated fields';
  if (shape.moreFields * 2 > shape.lines && shape.distinctWide === 1 && reader.startsWith('pairs'))
    return 'every line has the same number of fields (more than 2): a table with extra columns? write it as a RecBole <name>.inter file with a header';
  return undefined;
}
