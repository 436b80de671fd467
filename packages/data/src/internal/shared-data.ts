import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The bundled real datasets (../shared/data beside the repository), for tests. */
export const SHARED_DATA = resolve(__dirname, '../../../../../shared/data');

/** A path under ../shared/data that must exist; tests fail loudly, naming it, when it does not. */
export function sharedData(...parts: string[]): string {
  const path = join(SHARED_DATA, ...parts);
  if (!existsSync(path))
    throw new Error(`real dataset missing: ${path} (see shared/data/README.md)`);
  return path;
}
