import { trainSequential, type TrainedSequential, type TrainOptions } from '../sasrec/train';
import type { Gru4recConfig } from './config';
import { buildGru4rec } from './graph';

export type TrainedGru4rec = TrainedSequential<Gru4recConfig>;

export type TrainGru4recOptions = Omit<TrainOptions, 'config'> & { config: Gru4recConfig };

/**
 * Train GRU4Rec with SASRec's loop: the same batches (next item at every
 * position of the training prefixes), loss (`config.loss`: BCE with one
 * sampled negative, or sampled softmax), validation protocol and early
 * stopping on validation NDCG@10; `initialParameters` / `freezeItemEmbedding`
 * take ReaEmb's item table through the same adapter as SASRec.
 */
export function trainGru4rec(o: TrainGru4recOptions): Promise<TrainedGru4rec> {
  const model = buildGru4rec(o.config, o.dataset.itemIds.length, {
    freezeItemEmbedding: o.freezeItemEmbedding,
  });
  return trainSequential({ ...o, model, label: 'gru4rec' });
}
