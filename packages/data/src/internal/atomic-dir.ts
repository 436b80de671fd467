import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';

/** A folder being written beside its target, moved into place only when complete. */
export interface StagedDir {
  /** The target folder. */
  readonly target: string;
  /** Where the files go until `commit`. */
  readonly staging: string;
  /** Move the staging folder into place, replacing the target's old contents. */
  commit(): Promise<void>;
  /** Remove the staging folder; the target is left as it was. */
  abort(): Promise<void>;
}

export interface StageDirOptions {
  /** The folder to (re)place. */
  dir: string;
  /**
   * File names an existing target may hold and that a commit may therefore
   * replace. A target holding anything else is refused, so that a commit
   * never deletes files it did not write.
   */
  replaceable: readonly string[];
}

/**
 * Create the staging folder now (beside the target, on the same file system,
 * so the final rename is atomic), which proves the target's parent writable
 * before any long work starts. Errors are one line naming the folder.
 */
export async function stageDir(options: StageDirOptions): Promise<StagedDir> {
  const target = resolve(options.dir);
  await checkTarget(target, options.replaceable);
  const parent = dirname(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(parent, `.${basename(target)}.tmp-${tag}`);
  try {
    await fsp.mkdir(parent, { recursive: true });
    await fsp.mkdir(staging);
  } catch (err) {
    throw cannotWrite(options.dir, parent, err);
  }
  const abort = (): Promise<void> => fsp.rm(staging, { recursive: true, force: true });
  const commit = async (): Promise<void> => {
    const old = join(parent, `.${basename(target)}.old-${tag}`);
    let moved = false;
    try {
      // Re-checked: the target may have appeared or changed during the work.
      moved = await checkTarget(target, options.replaceable);
      if (moved) await fsp.rename(target, old);
      await fsp.rename(staging, target);
    } catch (err) {
      if (moved) await fsp.rename(old, target).catch(() => undefined);
      await abort();
      if (err instanceof InvalidArgumentError) throw err;
      throw cannotWrite(options.dir, parent, err);
    }
    if (moved) await fsp.rm(old, { recursive: true, force: true });
  };
  return { target, staging, commit, abort };
}

/** True when the target exists (a folder holding only replaceable files); throws when it cannot be replaced. */
async function checkTarget(target: string, replaceable: readonly string[]): Promise<boolean> {
  let entries: string[];
  try {
    entries = await fsp.readdir(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') {
      const isFile = await fsp.stat(target).then(
        (st) => !st.isDirectory(),
        () => false,
      );
      if (isFile) throw new InvalidArgumentError(`${target} exists and is not a folder`);
    }
    throw cannotWrite(target, target, err);
  }
  const foreign = entries.filter((n) => !replaceable.includes(n));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', ...' : '');
    throw new InvalidArgumentError(
      `${target} exists and holds files that are not a prepared dataset's (${shown}); choose a new or empty folder`,
    );
  }
  return true;
}

function cannotWrite(dir: string, where: string, err: unknown): FailedPreconditionError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'permission denied'
      : e.code === 'EROFS'
        ? 'read-only file system'
        : e.code === 'ENOTDIR'
          ? 'a path component is not a folder'
          : e.code === 'ENOSPC'
            ? 'no space left on device'
            : (e.code ?? e.message);
  return new FailedPreconditionError(`cannot write ${dir}: ${why} (at ${where})`, { cause: err });
}
