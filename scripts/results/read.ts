import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A generator turns a block's attributes into Markdown, reading result files under `root`. */
export type Generator = (attrs: Record<string, string>, root: string) => string;

export class ResultsError extends Error {}

/** A results file named by a block, with the block and the file in any error. */
export function readJson<T>(root: string, file: string | undefined, block: string): T {
  if (!file) throw new ResultsError(`block "${block}" needs file=<path of a results JSON>`);
  try {
    return JSON.parse(readFileSync(join(root, file), 'utf8')) as T;
  } catch (err) {
    throw new ResultsError(`block "${block}": cannot read ${file}: ${(err as Error).message}`);
  }
}
