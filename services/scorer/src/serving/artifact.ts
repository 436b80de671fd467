import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportInference } from '@thoughtspace/engine';
import { MANIFEST_FILE, openModelDir, sha256Hex } from '@thoughtspace/runtime';
import type { ScorerShape } from '../model';
import type { TrainedScorer } from '../train';

export const SCORER_MODEL_FORMAT = 'thoughtspace-scorer/1';

/** model.json: what the served scorer needs besides its weights to rebuild its inputs. */
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
  /** File name -> SHA-256, checked at load. */
  sha256: Record<string, string>;
  createdAt: string;
}

export interface LoadedScorer {
  manifest: ScorerManifest;
  onnx: Uint8Array;
  /** Item-index sequences the popularity and transition features are counted on. */
  fit: Int32Array[];
}

/**
 * Write a servable scorer: scorer.onnx (forward graph with the trained weights),
 * fit.json (the sequences its collaborative features are counted on) and
 * model.json naming the dataset, shapes, feature order and file hashes.
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
  const fit = Buffer.from(JSON.stringify(meta.fitSequences.map((s) => Array.from(s))));
  await writeFile(join(dir, 'scorer.onnx'), onnx);
  await writeFile(join(dir, 'fit.json'), fit);
  const { fitSequences: _unused, ...rest } = meta;
  void _unused;
  const manifest: ScorerManifest = {
    format: SCORER_MODEL_FORMAT,
    shape: trained.shape,
    ...rest,
    files: { onnx: 'scorer.onnx', fit: 'fit.json' },
    sha256: { 'scorer.onnx': sha256Hex(onnx), 'fit.json': sha256Hex(fit) },
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Read and check a scorer directory (the runtime's model-dir reader: a file that does not match its hash refuses, naming the path). */
export async function loadScorer(dir: string): Promise<LoadedScorer> {
  const { manifest, read } = await openModelDir<ScorerManifest>(dir, {
    format: SCORER_MODEL_FORMAT,
    what: 'scorer',
  });
  const onnx = await read(manifest.files.onnx);
  const fit = (JSON.parse((await read(manifest.files.fit)).toString('utf8')) as number[][]).map(
    (s) => Int32Array.from(s),
  );
  return { manifest, onnx: new Uint8Array(onnx), fit };
}
