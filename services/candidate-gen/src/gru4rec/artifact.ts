import { saveSasrec, type SasrecManifest } from '../sasrec/artifact';
import { validateConfig } from '../sasrec/config';
import type { TrainedGru4rec } from './train';

/**
 * Write GRU4Rec as a candidate-gen model directory. The graph has SASRec's
 * serving interface (model.onnx: seq, candidates -> scores, user_embedding;
 * user-encoder.onnx; `item_embedding` in the checkpoint), so SasrecModel and
 * the gRPC server serve it unchanged. The manifest's `config` is the serving
 * shape (maxLen, hidden); GRU4Rec's own config is under `variantConfig`.
 */
export function saveGru4rec(
  dir: string,
  trained: TrainedGru4rec,
  meta: {
    datasetName: string;
    manifestHash: string;
    itemIds: string[];
    userIds: string[];
    /** Per user, the history SimilarUsers indexes: never a test item. */
    userHistories: Int32Array[];
    /** Default `gru4rec`; `gru4rec+reaemb-lrcl|crrl` when initialised from ReaEmb. */
    variant?: string;
    /** Extra summary kept beside the GRU4Rec config (e.g. the ReaEmb stage). */
    variantConfig?: Record<string, unknown>;
  },
): Promise<SasrecManifest> {
  const c = trained.config;
  const servingConfig = validateConfig({
    maxLen: c.maxLen,
    hidden: c.hidden,
    blocks: 1,
    heads: 1,
    dropout: c.dropout,
    lr: c.lr,
    batch: c.batch,
    epochs: c.epochs,
    loss: c.loss,
    seed: c.seed,
    threads: c.threads,
  });
  return saveSasrec(dir, trained, {
    ...meta,
    variant: meta.variant ?? 'gru4rec',
    variantConfig: { gru4rec: c, ...meta.variantConfig },
    servingConfig,
  });
}
