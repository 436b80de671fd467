import { InvalidArgumentError } from '@thoughtspace/runtime';

/** RecBole atomic-file field types (https://recbole.io/docs/user_guide/data/atomic_files.html). */
export type AtomicType = 'token' | 'token_seq' | 'float' | 'float_seq';

export interface AtomicColumn {
  name: string;
  type: AtomicType;
}

const TYPES = new Set<string>(['token', 'token_seq', 'float', 'float_seq']);

/** Parse a tab-separated `name:type` header line; a bad header makes the whole file unusable. */
export function parseAtomicHeader(line: string, file: string): AtomicColumn[] {
  return line.split('\t').map((cell, i) => {
    const colon = cell.lastIndexOf(':');
    const name = colon > 0 ? cell.slice(0, colon).trim() : '';
    const type = colon > 0 ? cell.slice(colon + 1).trim() : '';
    if (name === '' || !TYPES.has(type)) {
      throw new InvalidArgumentError(
        `${file}: header column ${i + 1} must be "name:type" with type token, token_seq, float or float_seq, got "${cell.slice(0, 40)}"`,
      );
    }
    return { name, type: type as AtomicType };
  });
}

/** Index of a required column, or an error naming the file and the columns it has. */
export function requireColumn(columns: AtomicColumn[], names: string[], file: string): number {
  const i = findColumn(columns, names);
  if (i < 0) {
    throw new InvalidArgumentError(
      `${file}: header has no ${names.join(' or ')} column (found ${columns.map((c) => c.name).join(', ')})`,
    );
  }
  return i;
}

/** Index of the first column with one of these names, or -1. */
export function findColumn(columns: AtomicColumn[], names: string[]): number {
  for (const name of names) {
    const i = columns.findIndex((c) => c.name === name);
    if (i >= 0) return i;
  }
  return -1;
}
