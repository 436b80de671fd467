import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportInference } from '@thoughtspace/engine';
import { DataLossError, FailedPreconditionError, NotFoundError } from '@thoughtspace/runtime';
import type { ScorerShape } from '../model';
import type { TrainedScorer } from '../train';

export const SCORER_MODEL_FORMAT = 'thoughtspace-scorer/1';

/** scorer.json: what the served scorer needs besides its weights to rebuild its inputs. */
export interface ScorerManifest {
  format: typeof SCORER_MODEL_FORMAT;
  shape: ScorerShape;
  /** Names of the F numeric features per candidate, in order. */
  features: string[];
  dataset: { name: string; manifestHash: string };
  /** Std of the per-case centred SASRec logits on the training cases (feature 0 is divided by it). */
  sasrecStd: number;
  /** Items of the E2 behaviour text (the renderer's maxItems). */
  behaviourMaxItems: number;
  /** The strategy whose selected reasons the scorer was trained with. */
  trainedWith: string;
  files: { onnx: string; fit: string };
  sha256: { onnx: string; fit: string };
  createdAt: string;
}

export interface LoadedScorer {
  manifest: ScorerManifest;
  onnx: Uint8Array;
  /** Item-index sequences the popularity and transition features are counted on. */
  fit: Int32Array[];
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Write a servable scorer: scorer.onnx (forward graph with the trained weights),
 * fit.json (the sequences its collaborative features are counted on) and
 * scorer.json naming the dataset, shapes, feature order and file hashes.
 */
export async function saveScorer(
  dir: string,
  trained: TrainedScorer,
  meta: Omit<ScorerManifest, 'format' | 'shape' | 'files' | 'sha256' | 'createdAt'> & {
    fitSequences: ArrayLike<number>[];
  },
): Promise<ScorerManifest> {
  await mkdir(dir, { recursive: true });
  const onnx = exportInference({
    outputs: { logits: trained.model.logits },
    parameters: trained.trainer.parameters,
    graphName: 'scorer',
  });
  const fit = JSON.stringify(meta.fitSequences.map((s) => Array.from(s)));
  await writeFile(join(dir, 'scorer.onnx'), onnx);
  await writeFile(join(dir, 'fit.json'), fit);
  const { fitSequences: _unused, ...rest } = meta;
  void _unused;
  const manifest: ScorerManifest = {
    format: SCORER_MODEL_FORMAT,
    shape: trained.shape,
    ...rest,
    files: { onnx: 'scorer.onnx', fit: 'fit.json' },
    sha256: { onnx: sha256(onnx), fit: sha256(fit) },
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(dir, 'scorer.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Read and check a scorer directory; a file that does not match its hash refuses, naming the path. */
export async function loadScorer(dir: string): Promise<LoadedScorer> {
  const manifestPath = join(dir, 'scorer.json');
  let manifest: ScorerManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ScorerManifest;
  } catch (err) {
    throw new NotFoundError(
      `${manifestPath}: not a scorer model directory (${(err as Error).message})`,
    );
  }
  if (manifest.format !== SCORER_MODEL_FORMAT) {
    throw new FailedPreconditionError(
      `${manifestPath}: format ${String(manifest.format)}, expected ${SCORER_MODEL_FORMAT}`,
    );
  }
  const read = async (name: 'onnx' | 'fit') => {
    const path = join(dir, manifest.files[name]);
    const bytes = await readFile(path).catch((err: Error) => {
      throw new NotFoundError(`${path}: ${err.message}`);
    });
    if (sha256(bytes) !== manifest.sha256[name]) {
      throw new DataLossError(
        `${path} does not match its sha256 in ${manifestPath} (truncated or replaced?)`,
      );
    }
    return bytes;
  };
  const onnx = await read('onnx');
  const fit = (JSON.parse((await read('fit')).toString('utf8')) as number[][]).map((s) =>
    Int32Array.from(s),
  );
  return { manifest, onnx: new Uint8Array(onnx), fit };
}
