import {
  SEQUENTIAL_POSITIVE_INTS,
  validateSequential,
  type SequentialConfig,
} from '../sasrec/config';

/**
 * GRU4Rec hyperparameters. The training loop, batches, losses and early
 * stopping are SASRec's (the fields shared with `SasrecConfig` (`SequentialConfig`) mean the same);
 * the model is embedding -> one GRU layer -> scores over the catalogue by dot
 * product with the (tied) item table.
 */
export interface Gru4recConfig extends SequentialConfig {
  /**
   * GRU hidden size. When it differs from `hidden` (the item-embedding size)
   * a learned projection maps GRU states into the item-embedding space.
   */
  gruHidden: number;
}

/** Sized like the SASRec defaults: 50-d items and states, the paper-style BCE training. */
export const DEFAULT_GRU4REC: Gru4recConfig = {
  maxLen: 50,
  hidden: 50,
  gruHidden: 50,
  dropout: 0.2,
  lr: 0.001,
  batch: 128,
  epochs: 200,
  beta2: 0.98,
  weightDecay: 0,
  loss: 'bce',
  negatives: 100,
  evalEvery: 5,
  patience: 5,
  seed: 1,
  threads: 2,
};

export function validateGru4recConfig(partial: Partial<Gru4recConfig>): Gru4recConfig {
  const c: Gru4recConfig = {
    ...DEFAULT_GRU4REC,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  validateSequential('gru4rec', c, [...SEQUENTIAL_POSITIVE_INTS, 'gruHidden']);
  return c;
}
