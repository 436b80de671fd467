import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPreconditionError, NotFoundError } from './errors';

/** What every model directory's model.json carries besides its own fields. */
export interface ModelManifestBase {
  format: string;
  /** File name (relative to the directory) -> hex SHA-256 of its bytes. */
  sha256: Record<string, string>;
}

export const MANIFEST_FILE = 'model.json';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The manifest's `sha256` table for files already written in `dir`: file name
 * (relative to `dir`) -> hex SHA-256 of its bytes, in the order given. The
 * writer's side of `openModelDir`; a missing file is an error naming its path.
 */
export async function hashFiles(
  dir: string,
  files: readonly string[],
): Promise<Record<string, string>> {
  const hashes = await Promise.all(
    files.map(async (file) => {
      const full = join(dir, file);
      const data = await readFile(full).catch((err: unknown) => {
        throw new FailedPreconditionError(`hashFiles: ${full} is missing`, { cause: err });
      });
      return [file, sha256Hex(data)] as const;
    }),
  );
  return Object.fromEntries(hashes);
}

/**
 * The one model-directory reader (candidate-gen's SASRec, the encoder, the
 * scorer, ...): reads `<dir>/model.json`, checks its format, and returns it
 * with `read(file)`, which refuses a file that is missing or whose SHA-256
 * differs from the manifest's. Every message names the path.
 */
export async function openModelDir<M extends ModelManifestBase>(
  dir: string,
  o: { format: string; what: string },
): Promise<{ manifest: M; read: (file: string) => Promise<Buffer> }> {
  const path = join(dir, MANIFEST_FILE);
  let manifest: M;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as M;
  } catch (err) {
    throw new NotFoundError(`no ${o.what} model at ${dir} (${path} missing or unreadable)`, {
      cause: err,
    });
  }
  if (manifest?.format !== o.format) {
    throw new FailedPreconditionError(
      `${path}: format ${String(manifest?.format)}, expected ${o.format}`,
    );
  }
  if (!manifest.sha256 || typeof manifest.sha256 !== 'object') {
    throw new FailedPreconditionError(
      `${path}: no sha256 table; the directory predates file checks, save the model again`,
    );
  }
  const read = async (file: string): Promise<Buffer> => {
    const full = join(dir, file);
    const data = await readFile(full).catch((err: unknown) => {
      throw new FailedPreconditionError(`${full} is missing`, { cause: err });
    });
    const expected = manifest.sha256[file];
    const actual = sha256Hex(data);
    if (expected !== actual) {
      throw new FailedPreconditionError(
        `${full} does not match the manifest ${path} (sha256 ${actual.slice(0, 12)}, manifest ${String(expected).slice(0, 12)})`,
      );
    }
    return data;
  };
  return { manifest, read };
}
