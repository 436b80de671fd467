import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportInference, saveCheckpoint, writeSafetensors } from '@thoughtspace/engine';
import { hashFiles, InvalidArgumentError } from '@thoughtspace/runtime';
import { MODEL_FORMAT, type SasrecManifest } from '../sasrec/artifact';
import { validateConfig } from '../sasrec/config';
import { buildCoderRec } from './graph';
import { coderrecUserEmbeddings, type TrainedCoderRec } from './train';

/**
 * Write one CoderRec phase as a candidate-gen model directory. The layout and
 * serving interface are SASRec's (model.onnx: seq, candidates -> scores,
 * user_embedding; user-encoder.onnx; checkpoint with `item_embedding`;
 * users.safetensors), so `SasrecModel.load` and the gRPC server serve it
 * unchanged; the manifest names the variant (`coderrec-phase1|2`) and keeps
 * CoderRec's own config and the RQ-VAE report under `variantConfig`. The
 * semantic IDs, codebooks and decoder are constants inside the ONNX graphs.
 */
export async function saveCoderRec(
  dir: string,
  trained: TrainedCoderRec,
  meta: {
    phase: 'phase1' | 'phase2';
    datasetName: string;
    manifestHash: string;
    itemIds: string[];
    userIds: string[];
    /** Per user, the history SimilarUsers indexes: never a test item. */
    userHistories: Int32Array[];
  },
): Promise<SasrecManifest> {
  const phase = trained[meta.phase];
  if (!phase) throw new InvalidArgumentError(`saveCoderRec: ${meta.phase} was not trained`);
  const c = trained.config;
  await mkdir(dir, { recursive: true });
  const model = buildCoderRec(c, trained.items, { reasoning: phase.reasoning, train: false });
  const parameters = phase.trainer.parameters;
  await writeFile(
    join(dir, 'model.onnx'),
    exportInference({
      outputs: { scores: model.scores, user_embedding: model.userEmbedding },
      parameters,
      graphName: 'coderrec',
    }),
  );
  await writeFile(
    join(dir, 'user-encoder.onnx'),
    exportInference({
      outputs: { user_embedding: model.userEmbedding },
      parameters,
      graphName: 'coderrec_user_encoder',
    }),
  );
  // The serving shape (maxLen, hidden) in SASRec's config type; CoderRec's own config is under variantConfig.
  const serving = validateConfig({
    maxLen: c.maxLen,
    hidden: c.hidden,
    blocks: c.blocks,
    heads: c.heads,
    dropout: c.dropout,
    lr: c.lr,
    batch: c.batch,
    epochs: Math.max(1, c.phase1Epochs + (meta.phase === 'phase2' ? c.phase2Epochs : 0)),
    seed: c.seed,
    threads: c.threads,
  });
  await saveCheckpoint(phase.trainer, join(dir, 'checkpoint.safetensors'), c);
  const users = await coderrecUserEmbeddings(phase, c, meta.userHistories);
  await writeSafetensors(join(dir, 'users.safetensors'), {
    tensors: [
      {
        name: 'user_embedding',
        dtype: 'float32',
        shape: [meta.userHistories.length, c.hidden],
        data: users,
      },
    ],
    metadata: { dataset: meta.manifestHash },
  });
  const seconds =
    trained.phase1.seconds + (meta.phase === 'phase2' ? (trained.phase2?.seconds ?? 0) : 0);
  const epochs = phase.losses.length;
  const files = {
    onnx: 'model.onnx',
    userEncoder: 'user-encoder.onnx',
    checkpoint: 'checkpoint.safetensors',
    users: 'users.safetensors',
  };
  const manifest: SasrecManifest = {
    format: MODEL_FORMAT,
    variant: `coderrec-${meta.phase}`,
    variantConfig: {
      coderrec: c,
      itemVectors: trained.vectorsSource,
      rqvae: {
        usage: trained.rqvae.usage,
        collisions: trained.rqvae.collisions,
        collisionCodes: trained.rqvae.collisionCodes,
        reconstruction: trained.rqvae.reconstruction,
        deadCodeResets: trained.rqvae.deadCodeResets,
        seconds: trained.rqvae.seconds,
      },
      mix: phase.mix,
      losses: phase.losses,
    },
    config: serving,
    numItems: trained.items.numItems,
    dataset: { name: meta.datasetName, manifestHash: meta.manifestHash },
    itemIds: meta.itemIds,
    userIds: meta.userIds,
    training: {
      bestEpoch: epochs,
      epochsRun: epochs,
      trainSeconds: seconds,
      secondsPerEpoch: phase.seconds / Math.max(1, epochs),
      sequencesPerSecond: 0,
    },
    files,
    // Every file's hash, checked on load like SASRec's (runtime openModelDir).
    sha256: await hashFiles(dir, Object.values(files)),
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(manifest)}\n`);
  return manifest;
}
