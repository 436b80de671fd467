import { InvalidArgumentError } from '@thoughtspace/runtime';

/** SASRec hyperparameters. Defaults are the paper's (Kang & McAuley 2018) for the Amazon datasets. */
export interface SasrecConfig {
  /** Maximum sequence length L (most recent L items). */
  maxLen: number;
  /** Hidden size d (item and position embeddings). */
  hidden: number;
  blocks: number;
  heads: number;
  dropout: number;
  /** Where attention dropout applies: on the attention weights (the reference implementation) or on the block output. */
  attentionDropout: 'weights' | 'output';
  lr: number;
  batch: number;
  epochs: number;
  /** Adam beta2 (the reference implementation uses 0.98). */
  beta2: number;
  /** L2 weight decay on embeddings (AdamW-style decoupled); 0 = off as in the paper's Amazon runs. */
  weightDecay: number;
  /** `bce`: one sampled negative per position (the paper); `softmax`: sampled softmax over `negatives` shared negatives. */
  loss: 'bce' | 'softmax';
  /** Negatives per batch for the sampled-softmax loss. */
  negatives: number;
  /** Evaluate on validation every this many epochs. */
  evalEvery: number;
  /** Stop after this many evaluations without a better validation NDCG@10 (0 = never). */
  patience: number;
  seed: number;
  /** Intra-op threads for onnxruntime. */
  threads: number;
}

/** The fields the shared training loop (SASRec, GRU4Rec) reads: everything but the architecture. */
export type SequentialConfig = Omit<SasrecConfig, 'blocks' | 'heads' | 'attentionDropout'>;

export const PAPER_CONFIG: SasrecConfig = {
  maxLen: 50,
  hidden: 50,
  blocks: 2,
  heads: 1,
  dropout: 0.5,
  attentionDropout: 'weights',
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

/**
 * The checks every model on the shared training loop needs (SASRec,
 * GRU4Rec): `positiveInts` names the integer fields that must be >= 1;
 * errors start with `model`.
 */
export function validateSequential<C extends SequentialConfig>(
  model: string,
  c: C,
  positiveInts: readonly (keyof C)[],
): void {
  for (const k of positiveInts) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new InvalidArgumentError(
        `${model}: ${String(k)} must be a positive integer, got ${String(v)}`,
      );
  }
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new InvalidArgumentError(`${model}: dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.lr > 0)) throw new InvalidArgumentError(`${model}: lr must be > 0, got ${c.lr}`);
  if (!(c.beta2 > 0 && c.beta2 < 1))
    throw new InvalidArgumentError(`${model}: beta2 must be in (0, 1), got ${c.beta2}`);
  if (!(c.weightDecay >= 0))
    throw new InvalidArgumentError(`${model}: weightDecay must be >= 0, got ${c.weightDecay}`);
  if (c.loss !== 'bce' && c.loss !== 'softmax')
    throw new InvalidArgumentError(`${model}: loss must be bce or softmax, got ${String(c.loss)}`);
  if (!Number.isInteger(c.patience) || c.patience < 0)
    throw new InvalidArgumentError(`${model}: patience must be >= 0, got ${c.patience}`);
}

/** Fields present in every config of the shared loop that must be positive integers. */
export const SEQUENTIAL_POSITIVE_INTS = [
  'maxLen',
  'hidden',
  'batch',
  'epochs',
  'evalEvery',
  'threads',
  'negatives',
] as const;

export function validateConfig(partial: Partial<SasrecConfig>): SasrecConfig {
  const c: SasrecConfig = {
    ...PAPER_CONFIG,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  validateSequential('sasrec', c, [...SEQUENTIAL_POSITIVE_INTS, 'blocks', 'heads']);
  if (c.hidden % c.heads !== 0)
    throw new InvalidArgumentError(
      `sasrec: hidden (${c.hidden}) must be divisible by heads (${c.heads})`,
    );
  if (c.attentionDropout !== 'weights' && c.attentionDropout !== 'output') {
    throw new InvalidArgumentError(
      `sasrec: attentionDropout must be weights or output, got ${String(c.attentionDropout)}`,
    );
  }
  return c;
}
