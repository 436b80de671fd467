import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  exportInference,
  readSafetensors,
  saveCheckpoint,
  writeSafetensors,
} from '@thoughtspace/engine';
import { trainerUserEmbeddings } from './train';
import { lineChart } from '@thoughtspace/report';
import { FailedPreconditionError, NotFoundError } from '@thoughtspace/runtime';
import type { SasrecConfig } from './config';
import type { CurvePoint, TrainedSasrec } from './train';

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
  createdAt: string;
}

export async function saveSasrec(
  dir: string,
  trained: TrainedSasrec,
  meta: {
    datasetName: string;
    manifestHash: string;
    itemIds: string[];
    userIds: string[];
    /** Per user (aligned with userIds), the history SimilarUsers indexes: never a test item. */
    userHistories: Int32Array[];
    variant?: string;
    variantConfig?: unknown;
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
    ],
    metadata: { dataset: meta.manifestHash },
  });
  const manifest: SasrecManifest = {
    format: MODEL_FORMAT,
    ...(meta.variant ? { variant: meta.variant, variantConfig: meta.variantConfig } : {}),
    config: trained.config,
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
    files: {
      onnx: 'model.onnx',
      userEncoder: 'user-encoder.onnx',
      checkpoint: 'checkpoint.safetensors',
      users: 'users.safetensors',
    },
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

export async function writeLearningCurve(
  dir: string,
  curve: CurvePoint[],
  subtitle: string,
): Promise<void> {
  await writeFile(join(dir, 'learning-curve.json'), `${JSON.stringify(curve, null, 2)}\n`);
  const valid = curve.filter((p) => p.validNdcg10 !== undefined);
  const svg = lineChart({
    title: 'SASRec learning curve',
    subtitle,
    xLabel: 'epoch',
    yLabel: 'loss / validation metric',
    series: [
      { name: 'train loss', points: curve.map((p) => ({ x: p.epoch, y: p.loss })) },
      {
        name: 'valid NDCG@10',
        points: valid.map((p) => ({ x: p.epoch, y: p.validNdcg10 as number })),
      },
      { name: 'valid HR@10', points: valid.map((p) => ({ x: p.epoch, y: p.validHr10 as number })) },
      // With 1 + 9 candidates HR@10 is always 1; HR@1 is the informative curve there.
      { name: 'valid HR@1', points: valid.map((p) => ({ x: p.epoch, y: p.validHr1 as number })) },
    ],
  });
  await writeFile(join(dir, 'learning-curve.svg'), svg);
}

export interface LoadedSasrec {
  manifest: SasrecManifest;
  onnx: Uint8Array;
  userEncoder: Uint8Array;
  /** [numItems + 1, hidden]; row 0 is padding. */
  itemEmbedding: Float32Array;
  /** [users, hidden], aligned with manifest.userIds. */
  userEmbedding: Float32Array;
}

/** Load a model directory, checking it is complete and consistent with its manifest. */
export async function loadSasrec(dir: string): Promise<LoadedSasrec> {
  let manifest: SasrecManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as SasrecManifest;
  } catch (err) {
    throw new NotFoundError(`no SASRec model at ${dir} (model.json missing or unreadable)`, {
      cause: err,
    });
  }
  if (manifest.format !== MODEL_FORMAT) {
    throw new FailedPreconditionError(
      `${dir}/model.json: format ${String(manifest.format)}, expected ${MODEL_FORMAT}`,
    );
  }
  if (manifest.itemIds.length !== manifest.numItems) {
    throw new FailedPreconditionError(
      `${dir}/model.json: ${manifest.itemIds.length} item ids for numItems ${manifest.numItems}`,
    );
  }
  const read = (file: string) =>
    readFile(join(dir, file)).catch((err: unknown) => {
      throw new FailedPreconditionError(`${dir}: ${file} is missing`, { cause: err });
    });
  const [onnx, userEncoder] = await Promise.all([
    read(manifest.files.onnx),
    read(manifest.files.userEncoder),
  ]);
  const ckpt = await readSafetensors(join(dir, manifest.files.checkpoint));
  const emb = ckpt.tensors.find((t) => t.name === 'item_embedding');
  const expected = [manifest.numItems + 1, manifest.config.hidden];
  if (!emb || emb.shape.join(',') !== expected.join(',')) {
    throw new FailedPreconditionError(
      `${dir}: checkpoint item_embedding is [${emb?.shape.join(', ') ?? 'missing'}], manifest expects [${expected.join(', ')}]`,
    );
  }
  const users = (await readSafetensors(join(dir, manifest.files.users))).tensors.find(
    (t) => t.name === 'user_embedding',
  );
  if (
    !users ||
    users.shape.join(',') !== [manifest.userIds.length, manifest.config.hidden].join(',')
  ) {
    throw new FailedPreconditionError(
      `${dir}: users.safetensors user_embedding is [${users?.shape.join(', ') ?? 'missing'}], manifest expects [${manifest.userIds.length}, ${manifest.config.hidden}]`,
    );
  }
  return {
    manifest,
    onnx: new Uint8Array(onnx),
    userEncoder: new Uint8Array(userEncoder),
    itemEmbedding: emb.data as Float32Array,
    userEmbedding: users.data as Float32Array,
  };
}
