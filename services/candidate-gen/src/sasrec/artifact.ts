import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeSafetensors,
  exportInference,
  saveCheckpoint,
  writeSafetensors,
  type TypedData,
} from '@thoughtspace/engine';
import { trainerUserEmbeddings } from './train';
import { lineChartSpec, renderSvg, type ChartSpec } from '@thoughtspace/report';
import { FailedPreconditionError, hashFiles, openModelDir } from '@thoughtspace/runtime';
import { validateConfig, type SasrecConfig, type SequentialConfig } from './config';
import type { CurvePoint, TrainedSequential } from './train';

export const MODEL_FORMAT = 'thoughtspace-sasrec/1';

/**
 * A trained SASRec model directory:
 *   model.json               this manifest (config, dataset, ids, training summary)
 *   model.onnx               inference graph: seq [batch, L], candidates [batch, C] -> scores, user_embedding
 *   user-encoder.onnx        seq [batch, L] -> user_embedding (for top-k, similar users, any candidate count)
 *   checkpoint.safetensors   parameters + optimizer state (resumable; item_embedding row i+1 = item index i)
 *   users.safetensors        user_embedding [users, d]: each user's state after their known history
 *                            (training prefix + validation item, never the test item), for SimilarUsers
 *   learning-curve.svg/json  loss and validation NDCG@10 per epoch
 */
export interface SasrecManifest {
  format: typeof MODEL_FORMAT;
  /**
   * Which model wrote this directory (default `sasrec`): `sasrec+reaemb-lrcl` /
   * `sasrec+reaemb-crrl` (SASRec initialised from ReaEmb), `coderrec-phase1` /
   * `coderrec-phase2`. Every variant has the same serving interface.
   */
  variant?: string;
  /** The variant's own hyperparameters and summary (e.g. CoderRec's RQ-VAE usage); `config` holds the serving shape. */
  variantConfig?: unknown;
  config: SasrecConfig;
  numItems: number;
  dataset: { name: string; manifestHash: string };
  /** Item index -> original id; the model's id for index i is i + 1. */
  itemIds: string[];
  /** User index -> original id (for SimilarUsers). */
  userIds: string[];
  training: {
    bestEpoch: number;
    epochsRun: number;
    trainSeconds: number;
    secondsPerEpoch: number;
    sequencesPerSecond: number;
  };
  files: { onnx: string; userEncoder: string; checkpoint: string; users: string };
  /** File name -> SHA-256; load refuses a directory whose files do not match. */
  sha256: Record<string, string>;
  createdAt: string;
}

export async function saveSasrec(
  dir: string,
  trained: TrainedSequential<SequentialConfig>,
  meta: {
    datasetName: string;
    manifestHash: string;
    itemIds: string[];
    userIds: string[];
    /** Per user (aligned with userIds), the history SimilarUsers indexes: never a test item. */
    userHistories: Int32Array[];
    variant?: string;
    variantConfig?: unknown;
    /** The manifest's serving shape when the model is not SASRec (e.g. GRU4Rec); default: trained.config. */
    servingConfig?: SasrecConfig;
  },
): Promise<SasrecManifest> {
  await mkdir(dir, { recursive: true });
  const onnx = exportInference({
    outputs: { scores: trained.model.scores, user_embedding: trained.model.userEmbedding },
    parameters: trained.trainer.parameters,
    graphName: 'sasrec',
  });
  await writeFile(join(dir, 'model.onnx'), onnx);
  const userEncoder = exportInference({
    outputs: { user_embedding: trained.model.userEmbedding },
    parameters: trained.trainer.parameters,
    graphName: 'sasrec_user_encoder',
  });
  await writeFile(join(dir, 'user-encoder.onnx'), userEncoder);
  await saveCheckpoint(trained.trainer, join(dir, 'checkpoint.safetensors'), trained.config);
  const users = await trainerUserEmbeddings(trained, meta.userHistories);
  await writeSafetensors(join(dir, 'users.safetensors'), {
    tensors: [
      {
        name: 'user_embedding',
        dtype: 'float32',
        shape: [meta.userHistories.length, trained.config.hidden],
        data: users,
      },
      // Each user's indexed history, flattened with offsets: SimilarUsers' recent items.
      {
        name: 'history_offsets',
        dtype: 'int32',
        shape: [meta.userHistories.length + 1],
        data: historyOffsets(meta.userHistories),
      },
      {
        name: 'history_items',
        dtype: 'int32',
        shape: [meta.userHistories.reduce((a, h) => a + h.length, 0)],
        data: Int32Array.from(meta.userHistories.flatMap((h) => Array.from(h))),
      },
    ],
    metadata: { dataset: meta.manifestHash },
  });
  const files = {
    onnx: 'model.onnx',
    userEncoder: 'user-encoder.onnx',
    checkpoint: 'checkpoint.safetensors',
    users: 'users.safetensors',
  };
  const manifest: SasrecManifest = {
    format: MODEL_FORMAT,
    ...(meta.variant ? { variant: meta.variant, variantConfig: meta.variantConfig } : {}),
    config: meta.servingConfig ?? validateConfig(trained.config),
    numItems: trained.numItems,
    dataset: { name: meta.datasetName, manifestHash: meta.manifestHash },
    itemIds: meta.itemIds,
    userIds: meta.userIds,
    training: {
      bestEpoch: trained.bestEpoch,
      epochsRun: trained.epochsRun,
      trainSeconds: trained.trainSeconds,
      secondsPerEpoch: trained.secondsPerEpoch,
      sequencesPerSecond: trained.sequencesPerSecond,
    },
    files,
    sha256: await hashFiles(dir, Object.values(files)),
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(manifest)}\n`);
  await writeLearningCurve(
    dir,
    trained.curve,
    `${meta.datasetName} (manifest ${meta.manifestHash.slice(0, 12)}), seed ${trained.config.seed}`,
  );
  return manifest;
}

/** Writes learning-curve.json and .svg; returns the chart's spec for an HTML report. */
export async function writeLearningCurve(
  dir: string,
  curve: CurvePoint[],
  subtitle: string,
): Promise<ChartSpec> {
  await writeFile(join(dir, 'learning-curve.json'), `${JSON.stringify(curve, null, 2)}\n`);
  const validation = (name: string, metric: 'validNdcg10' | 'validHr10' | 'validHr1') => ({
    name,
    panel: 'validation metrics',
    points: curve.flatMap((p) => (p[metric] === undefined ? [] : [{ x: p.epoch, y: p[metric] }])),
  });
  const spec = lineChartSpec({
    title: 'SASRec learning curve',
    subtitle,
    xLabel: 'epoch',
    yLabel: 'value',
    series: [
      {
        name: 'train loss (BCE)',
        panel: 'training loss',
        points: curve.map((p) => ({ x: p.epoch, y: p.loss })),
      },
      validation('valid NDCG@10', 'validNdcg10'),
      validation('valid HR@10', 'validHr10'),
      // With 1 + 9 candidates HR@10 is always 1; HR@1 is the informative curve there.
      validation('valid HR@1', 'validHr1'),
    ].filter((s) => s.points.length > 0),
  });
  await writeFile(join(dir, 'learning-curve.svg'), await renderSvg(spec));
  return spec;
}

export interface LoadedSasrec {
  manifest: SasrecManifest;
  onnx: Uint8Array;
  userEncoder: Uint8Array;
  /** [numItems + 1, hidden]; row 0 is padding. */
  itemEmbedding: Float32Array;
  /** The checkpoint's tensors by name: the trained parameters (and the optimizer's state). */
  checkpoint: ReadonlyMap<string, TypedData>;
  /** [users, hidden], aligned with manifest.userIds. */
  userEmbedding: Float32Array;
  /** Per user (aligned with manifest.userIds), the indexed history; absent in model directories written before it was saved. */
  userHistories?: Int32Array[];
}

function historyOffsets(histories: Int32Array[]): Int32Array {
  const out = new Int32Array(histories.length + 1);
  histories.forEach((h, i) => (out[i + 1] = out[i] + h.length));
  return out;
}

/** Load a model directory, checking it is complete and consistent with its manifest. */
export async function loadSasrec(dir: string): Promise<LoadedSasrec> {
  const { manifest, read } = await openModelDir<SasrecManifest>(dir, {
    format: MODEL_FORMAT,
    what: 'SASRec',
  });
  if (manifest.itemIds.length !== manifest.numItems) {
    throw new FailedPreconditionError(
      `${dir}/model.json: ${manifest.itemIds.length} item ids for numItems ${manifest.numItems}`,
    );
  }
  const [onnx, userEncoder, checkpoint, usersBytes] = await Promise.all([
    read(manifest.files.onnx),
    read(manifest.files.userEncoder),
    read(manifest.files.checkpoint),
    read(manifest.files.users),
  ]);
  const ckpt = decodeSafetensors(checkpoint, join(dir, manifest.files.checkpoint));
  const emb = ckpt.tensors.find((t) => t.name === 'item_embedding');
  const expected = [manifest.numItems + 1, manifest.config.hidden];
  if (!emb || emb.shape.join(',') !== expected.join(',')) {
    throw new FailedPreconditionError(
      `${dir}: checkpoint item_embedding is [${emb?.shape.join(', ') ?? 'missing'}], manifest expects [${expected.join(', ')}]`,
    );
  }
  const usersFile = decodeSafetensors(usersBytes, join(dir, manifest.files.users)).tensors;
  const users = usersFile.find((t) => t.name === 'user_embedding');
  if (
    !users ||
    users.shape.join(',') !== [manifest.userIds.length, manifest.config.hidden].join(',')
  ) {
    throw new FailedPreconditionError(
      `${dir}: users.safetensors user_embedding is [${users?.shape.join(', ') ?? 'missing'}], manifest expects [${manifest.userIds.length}, ${manifest.config.hidden}]`,
    );
  }
  const offsets = usersFile.find((t) => t.name === 'history_offsets')?.data as
    Int32Array | undefined;
  const flat = usersFile.find((t) => t.name === 'history_items')?.data as Int32Array | undefined;
  let userHistories: Int32Array[] | undefined;
  if (offsets && flat) {
    if (
      offsets.length !== manifest.userIds.length + 1 ||
      offsets[offsets.length - 1] !== flat.length
    )
      throw new FailedPreconditionError(
        `${dir}: users.safetensors history_offsets do not match ${manifest.userIds.length} users and ${flat.length} history items`,
      );
    userHistories = manifest.userIds.map((_, u) => flat.subarray(offsets[u], offsets[u + 1]));
  }
  return {
    manifest,
    userHistories,
    onnx: new Uint8Array(onnx),
    userEncoder: new Uint8Array(userEncoder),
    itemEmbedding: emb.data as Float32Array,
    checkpoint: new Map(ckpt.tensors.map((t) => [t.name, t.data])),
    userEmbedding: users.data as Float32Array,
  };
}
