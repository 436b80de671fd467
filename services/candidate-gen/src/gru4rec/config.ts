import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { SequentialConfig } from '../sasrec/config';

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
  const positiveInts: (keyof Gru4recConfig)[] = [
    'maxLen',
    'hidden',
    'gruHidden',
    'batch',
    'epochs',
    'evalEvery',
    'threads',
    'negatives',
  ];
  for (const k of positiveInts) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new InvalidArgumentError(`gru4rec: ${k} must be a positive integer, got ${String(v)}`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new InvalidArgumentError(`gru4rec: dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.lr > 0)) throw new InvalidArgumentError(`gru4rec: lr must be > 0, got ${c.lr}`);
  if (!(c.beta2 > 0 && c.beta2 < 1))
    throw new InvalidArgumentError(`gru4rec: beta2 must be in (0, 1), got ${c.beta2}`);
  if (!(c.weightDecay >= 0))
    throw new InvalidArgumentError(`gru4rec: weightDecay must be >= 0, got ${c.weightDecay}`);
  if (c.loss !== 'bce' && c.loss !== 'softmax')
    throw new InvalidArgumentError(`gru4rec: loss must be bce or softmax, got ${String(c.loss)}`);
  if (!Number.isInteger(c.patience) || c.patience < 0)
    throw new InvalidArgumentError(`gru4rec: patience must be >= 0, got ${c.patience}`);
  return c;
}
