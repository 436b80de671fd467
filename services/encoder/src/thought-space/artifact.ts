import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeSafetensors,
  exportInference,
  saveCheckpoint,
  verifyExport,
} from '@thoughtspace/engine';
import { FailedPreconditionError, openModelDir, sha256Hex as sha256 } from '@thoughtspace/runtime';
import { Tokenizer } from '../tokenizer';
import { validateConfig, type ThoughtSpaceConfig } from './config';
import { towerFeeds } from './encode';
import { inputNames, type TowerName } from './graph';
import type { ThoughtSpace, TrainSummary } from './train';

export const MODEL_FORMAT = 'thoughtspace-encoder/1';

const FILES = {
  rationaleEncoder: 'rationale-encoder.onnx',
  behaviourEncoder: 'behaviour-encoder.onnx',
  checkpoint: 'checkpoint.safetensors',
  catalogue: 'catalogue.json',
} as const;

/** Item id -> title, so a served E2 can render a behaviour given as item ids (gRPC Behaviour). */
export interface CatalogueEntry {
  id: string;
  title: string;
}

/**
 * A Thought Space model directory:
 *   model.json               this manifest (config, vocabulary, dataset, training, file hashes)
 *   rationale-encoder.onnx   E1: rationale_tokens, rationale_mask [batch, Lr] -> rationale_embedding [batch, d]
 *   behaviour-encoder.onnx   E2: behaviour_tokens, behaviour_mask [batch, Lb] -> behaviour_embedding [batch, d]
 *   checkpoint.safetensors   parameters + AdamW state (engine checkpoint, resumable)
 *   catalogue.json           optional: item id -> title, for behaviours sent as item ids
 * Every file's SHA-256 is in the manifest; load refuses a directory that does not match.
 */
export interface EncoderManifest {
  format: typeof MODEL_FORMAT;
  config: ThoughtSpaceConfig;
  vocab: string[];
  dataset: { name: string; manifestHash: string };
  /** How behaviours were rendered from item titles (for serving item-id histories alike). */
  behaviourRendering: { maxHistoryItems: number; separator: string };
  training: TrainSummary;
  /** Largest |export - training forward| over a check batch, per tower. */
  exportCheck: Record<TowerName, number>;
  files: {
    rationaleEncoder: string;
    behaviourEncoder: string;
    checkpoint: string;
    catalogue?: string;
  };
  sha256: Record<string, string>;
  createdAt: string;
}

export interface SaveMeta {
  datasetName: string;
  manifestHash: string;
  catalogue?: CatalogueEntry[];
  maxHistoryItems?: number;
}

/** Export both towers, check each against the training forward, and write the model directory. */
export async function saveThoughtSpace(
  dir: string,
  space: ThoughtSpace,
  meta: SaveMeta,
): Promise<EncoderManifest> {
  await mkdir(dir, { recursive: true });
  const sha: Record<string, string> = {};
  const put = async (file: string, data: Uint8Array) => {
    await writeFile(join(dir, `${file}.tmp`), data);
    await rename(join(dir, `${file}.tmp`), join(dir, file));
    sha[file] = sha256(data);
  };
  const exportCheck = {} as Record<TowerName, number>;
  for (const tower of ['rationale', 'behaviour'] as const) {
    const out = inputNames(tower).output;
    const onnx = exportInference({
      outputs: { [out]: space.model[tower].embedding },
      parameters: space.parameters,
      graphName: `thought_space_${tower}`,
    });
    const feeds = towerFeeds(space.tokenizer, space.config, tower, checkTexts(space.tokenizer));
    exportCheck[tower] = await verifyExport({
      model: onnx,
      feeds,
      reference: await space.trainer.evaluate(feeds, { [out]: space.model[tower].embedding }),
    });
    await put(tower === 'rationale' ? FILES.rationaleEncoder : FILES.behaviourEncoder, onnx);
  }
  await saveCheckpoint(space.trainer, join(dir, FILES.checkpoint), space.config);
  sha[FILES.checkpoint] = sha256(await readFile(join(dir, FILES.checkpoint)));
  if (meta.catalogue)
    await put(FILES.catalogue, Buffer.from(`${JSON.stringify(meta.catalogue)}\n`));
  const manifest: EncoderManifest = {
    format: MODEL_FORMAT,
    config: space.config,
    vocab: [...space.tokenizer.vocab],
    dataset: { name: meta.datasetName, manifestHash: meta.manifestHash },
    behaviourRendering: { maxHistoryItems: meta.maxHistoryItems ?? 20, separator: ' ; ' },
    training: space.summary,
    exportCheck,
    files: {
      rationaleEncoder: FILES.rationaleEncoder,
      behaviourEncoder: FILES.behaviourEncoder,
      checkpoint: FILES.checkpoint,
      ...(meta.catalogue ? { catalogue: FILES.catalogue } : {}),
    },
    sha256: sha,
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(manifest)}\n`);
  return manifest;
}

/** A small deterministic batch for the export check: frequent words, rare words, an empty text, a long one. */
function checkTexts(tokenizer: Tokenizer): string[] {
  const v = tokenizer.vocab.slice(2);
  return [
    v.slice(0, 5).join(' '),
    v.slice(-7).join(' '),
    '',
    v.slice(0, 200).join(' '),
    'zzzunknownzzz',
  ];
}

export interface LoadedEncoder {
  manifest: EncoderManifest;
  tokenizer: Tokenizer;
  rationaleEncoder: Uint8Array;
  behaviourEncoder: Uint8Array;
  catalogue?: Map<string, string>;
}

/** Read a model directory, refusing one whose files do not match its manifest. */
export async function loadThoughtSpaceFiles(dir: string): Promise<LoadedEncoder> {
  const { manifest, read } = await openModelDir<EncoderManifest>(dir, {
    format: MODEL_FORMAT,
    what: 'encoder',
  });
  let config: ThoughtSpaceConfig;
  let tokenizer: Tokenizer;
  try {
    config = validateConfig(manifest.config);
    tokenizer = new Tokenizer(manifest.vocab);
  } catch (err) {
    throw new FailedPreconditionError(
      `${dir}/model.json: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const [r, b, ckpt] = await Promise.all([
    read(manifest.files.rationaleEncoder),
    read(manifest.files.behaviourEncoder),
    read(manifest.files.checkpoint),
  ]);
  const table = decodeSafetensors(ckpt, `${dir}/${manifest.files.checkpoint}`).tensors.find(
    (t) => t.name === (config.shareEmbeddings ? 'embedding' : 'rationale.embedding'),
  );
  const expected = [tokenizer.size, config.embeddingDim];
  if (!table || table.shape.join(',') !== expected.join(',')) {
    throw new FailedPreconditionError(
      `${dir}: checkpoint token table is [${table?.shape.join(', ') ?? 'missing'}], the manifest's vocabulary and config need [${expected.join(', ')}]`,
    );
  }
  let catalogue: Map<string, string> | undefined;
  if (manifest.files.catalogue) {
    const entries = JSON.parse(
      (await read(manifest.files.catalogue)).toString('utf8'),
    ) as CatalogueEntry[];
    catalogue = new Map(entries.map((e) => [e.id, e.title]));
  }
  return {
    manifest: { ...manifest, config },
    tokenizer,
    rationaleEncoder: new Uint8Array(r),
    behaviourEncoder: new Uint8Array(b),
    catalogue,
  };
}
