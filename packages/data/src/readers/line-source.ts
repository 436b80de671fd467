import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataLossError, InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import type { SourceFile } from '../types';

/** Text encodings the readers accept (MovieLens item files are latin1). */
export type TextEncoding = 'utf8' | 'latin1';

export interface LineSourceOptions {
  /** Encoding of the (decompressed) text; default utf8. */
  encoding?: TextEncoding;
}

/** Called once per line, without its line terminator; `lineNo` is 1-based. */
export type LineHandler = (line: string, lineNo: number) => void;

/** Throw NotFoundError unless `path` names an existing regular file. */
export async function assertFile(path: string): Promise<void> {
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`file not found: ${path}`, { cause: err });
    }
    throw new DataLossError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!stat.isFile()) throw new InvalidArgumentError(`not a regular file: ${path}`);
}

/** True when the file starts with the gzip magic bytes 1f 8b, whatever its name. */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await fsp.open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Stream a text or gzip file line by line, hashing the bytes on disk as they
 * pass. An exception thrown by `onLine` stops the read and rejects with it.
 * Resolves with the file's identity (sha256 and size of the file on disk).
 */
export async function forEachLine(
  path: string,
  options: LineSourceOptions,
  onLine: LineHandler,
): Promise<SourceFile> {
  await assertFile(path);
  const gzipped = await isGzipFile(path);
  const encoding = options.encoding ?? 'utf8';

  return new Promise<SourceFile>((resolve, reject) => {
    const raw = createReadStream(path);
    const hash = createHash('sha256');
    let bytes = 0;
    raw.on('data', (chunk: Buffer | string) => {
      hash.update(chunk);
      bytes += chunk.length;
    });

    let text: Readable = raw;
    const gunzip = gzipped ? createGunzip() : undefined;
    if (gunzip) text = raw.pipe(gunzip);
    text.setEncoding(encoding);

    const rl = createInterface({ input: text, crlfDelay: Infinity });
    let lineNo = 0;
    let done = false;
    const fail = (err: unknown): void => {
      if (done) return;
      done = true;
      rl.close();
      gunzip?.destroy();
      raw.destroy();
      reject(err);
    };

    rl.on('line', (line: string) => {
      if (done) return;
      lineNo++;
      // A byte-order mark is an encoding artefact, not part of the first field.
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      try {
        onLine(line, lineNo);
      } catch (err) {
        fail(err);
      }
    });
    rl.on('close', () => {
      if (done) return;
      done = true;
      resolve({ path, sha256: hash.digest('hex'), bytes });
    });
    raw.on('error', (err) =>
      fail(new DataLossError(`cannot read ${path}: ${err.message}`, { cause: err })),
    );
    gunzip?.on('error', (err) =>
      fail(new DataLossError(`corrupt gzip data in ${path}: ${err.message}`, { cause: err })),
    );
    // readline re-emits input errors; the stream handlers above have already settled by then.
    rl.on('error', (err) =>
      fail(new DataLossError(`cannot read ${path}: ${err.message}`, { cause: err })),
    );
  });
}
