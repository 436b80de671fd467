import { join } from 'node:path';
import { exportInference, ModelRunner, type ExecutionProvider } from '@thoughtspace/engine';
import { FailedPreconditionError } from '@thoughtspace/runtime';
import type { LoadedSasrec } from '../sasrec/artifact';
import { encodeCandidates, encodeHistories } from '../sasrec/batches';
import { buildSasrecWindow } from '../sasrec/graph';

/** Serving graphs over the last `length` positions (decision 0034). */
export interface SequenceWindow {
  length: number;
  /** `seq` [batch, length], `candidates` -> `scores`, `user_embedding` (the model file's outputs). */
  scorer: ModelRunner;
  /** `seq` [batch, length] -> `user_embedding` (the user encoder file's output). */
  userEncoder: ModelRunner;
}

/** The shortest window is 8 positions; each next one doubles, while shorter than maxLen. */
export function windowLengths(maxLen: number): number[] {
  const out: number[] = [];
  for (let w = 8; w < maxLen; w *= 2) out.push(w);
  return out;
}

/**
 * Largest |window - file| allowed at load for any output on the probe
 * histories. The two sum the same products in another order (onnxruntime's
 * kernels tile a shorter sequence differently): about 1e-6 on trained models;
 * a graph that is not the file's differs by orders of magnitude more.
 */
export const WINDOW_TOLERANCE = 1e-4;

/** The smallest window that holds every history (their last maxLen items); undefined: the full graph. */
export function windowFor(
  windows: readonly SequenceWindow[],
  histories: readonly ArrayLike<number>[],
): SequenceWindow | undefined {
  const longest = histories.reduce((m, h) => Math.max(m, h.length), 0);
  return windows.find((w) => w.length >= longest);
}

/**
 * Builds the windows of a SASRec model directory from its checkpoint and
 * checks each against the model file (`reference`) on probe histories: the
 * directory's indexed user histories that fit the window, and one that fills
 * it. A window that differs by more than WINDOW_TOLERANCE refuses to load,
 * naming the directory.
 */
export async function loadWindows(options: {
  dir: string;
  loaded: LoadedSasrec;
  reference: ModelRunner;
  engine: { threads?: number; executionProvider?: ExecutionProvider };
}): Promise<SequenceWindow[]> {
  const { dir, loaded, reference } = options;
  const { config, numItems } = loaded.manifest;
  const windows: SequenceWindow[] = [];
  try {
    for (const length of windowLengths(config.maxLen)) {
      const graph = buildSasrecWindow(config, numItems, length);
      const create = (outputs: Parameters<typeof exportInference>[0]['outputs'], name: string) =>
        ModelRunner.create({
          model: exportInference({ outputs, parameters: loaded.checkpoint, graphName: name }),
          source: join(dir, loaded.manifest.files.checkpoint),
          name,
          ...options.engine,
        });
      const window: SequenceWindow = {
        length,
        scorer: await create(
          { scores: graph.scores, user_embedding: graph.userEmbedding },
          `sasrec-window${length}`,
        ),
        userEncoder: await create(
          { user_embedding: graph.userEmbedding },
          `sasrec-user-encoder-window${length}`,
        ),
      };
      windows.push(window);
      await checkWindow(dir, window, reference, config.maxLen, probes(loaded, length));
    }
    return windows;
  } catch (err) {
    for (const w of windows) await Promise.all([w.scorer.dispose(), w.userEncoder.dispose()]);
    throw err;
  }
}

/** Up to 32 indexed histories that fit the window (a fixed stride through the users), and one that fills it. */
function probes(loaded: LoadedSasrec, length: number): Int32Array[] {
  const n = loaded.manifest.numItems;
  const full = Int32Array.from({ length }, (_, i) => (i * 7919) % n);
  const fitting = (loaded.userHistories ?? []).filter((h) => h.length > 0 && h.length <= length);
  const stride = Math.max(1, Math.floor(fitting.length / 32));
  return [...fitting.filter((_, i) => i % stride === 0).slice(0, 32), full];
}

async function checkWindow(
  dir: string,
  window: SequenceWindow,
  reference: ModelRunner,
  maxLen: number,
  histories: Int32Array[],
): Promise<void> {
  const candidates = encodeCandidates(histories.map((h) => [h[0], h[h.length - 1]]));
  const [want, got, user] = await Promise.all([
    reference.run({ seq: encodeHistories(histories, maxLen), candidates }),
    window.scorer.run({ seq: encodeHistories(histories, window.length), candidates }),
    window.userEncoder.run({ seq: encodeHistories(histories, window.length) }),
  ]);
  const compared: [string, ArrayLike<number>, ArrayLike<number>][] = [
    ['scores', want.scores.data as Float32Array, got.scores.data as Float32Array],
    [
      'user_embedding',
      want.user_embedding.data as Float32Array,
      got.user_embedding.data as Float32Array,
    ],
    [
      'user encoder',
      want.user_embedding.data as Float32Array,
      user.user_embedding.data as Float32Array,
    ],
  ];
  for (const [name, a, b] of compared) {
    let worst = a.length === b.length ? 0 : Infinity;
    for (let i = 0; i < a.length && worst <= WINDOW_TOLERANCE; i++)
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    if (!(worst <= WINDOW_TOLERANCE))
      throw new FailedPreconditionError(
        `${dir}: the ${window.length}-position serving window's ${name} differs from the model file by ${worst} (> ${WINDOW_TOLERANCE}) on ${histories.length} histories; the window graph or the checkpoint does not match model.onnx (serve without windows: SEQUENCE_WINDOWS=off)`,
      );
  }
}
