import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataLossError } from '@thoughtspace/runtime';
import type { JoinSnapshot } from './state';

export const CHECKPOINT_FORMAT = 'thoughtspace-streaming-evaluator/1';

/** Next offset to read per "topic:partition". */
export type Offsets = Record<string, string>;

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  groupId: string;
  /** Offsets the state includes: every record before them is in `state`. */
  offsets: Offsets;
  state: JoinSnapshot;
  /** Method, provider and dataset of the predictions, from the first one read. */
  labels: { method: string; provider: string; datasetManifestHash: string };
  writtenAt: string;
}

/**
 * Write atomically: a temporary file, fsync, rename over the old one. A crash
 * leaves either the previous checkpoint or the new one, never half of one.
 */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(checkpoint));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** The last checkpoint, or undefined when none was written yet. */
export async function readCheckpoint(
  path: string,
  groupId: string,
): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let c: Checkpoint;
  try {
    c = JSON.parse(text) as Checkpoint;
  } catch (err) {
    throw new DataLossError(`checkpoint ${path} is not valid JSON`, { cause: err });
  }
  if (c.format !== CHECKPOINT_FORMAT) {
    throw new DataLossError(
      `checkpoint ${path}: format ${String(c.format)}, expected ${CHECKPOINT_FORMAT}`,
    );
  }
  if (c.groupId !== groupId) {
    throw new DataLossError(
      `checkpoint ${path} belongs to consumer group ${c.groupId}, not ${groupId}: use another EVALUATOR_CHECKPOINT`,
    );
  }
  return c;
}
