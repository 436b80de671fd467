import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { Truncation } from '../tokenizer';

/**
 * Thought Space hyperparameters. Defaults are sized so training on
 * luxury-beauty-2018 (~6,000 training pairs) takes about a minute on 2 cores;
 * see docs/encoder.md for the measurements behind them.
 */
export interface ThoughtSpaceConfig {
  /** Transformer width. */
  dim: number;
  /** Token-table width; must equal the word vectors' dimension when `wordVectors` is set. */
  embeddingDim: number;
  /** Width of the L2-normalised output embedding. */
  outputDim: number;
  /** Transformer blocks per tower (0: masked mean of the embedded tokens only). */
  blocks: number;
  heads: number;
  /** Feed-forward inner width = ffnMultiplier x dim. */
  ffnMultiplier: number;
  dropout: number;
  /** E1 input length; longer rationales keep their start. */
  rationaleTokens: number;
  /** E2 input length; longer behaviours keep their end (the most recent items). */
  behaviourTokens: number;
  /** One token table for both towers (the rest of the towers is separate). */
  shareEmbeddings: boolean;
  /** InfoNCE group: each behaviour against its own rationale and the group's other rationales. */
  groupSize: number;
  /** Independent groups per training step (one session.run); negatives never cross groups. */
  groupsPerStep: number;
  /** Cosine similarity is divided by this. */
  temperature: number;
  /** Also the rationale -> behaviour direction of InfoNCE (mean of both). */
  symmetric: boolean;
  /** Peak learning rate (linear warmup, cosine decay to 0). */
  lr: number;
  warmupFraction: number;
  weightDecay: number;
  clipNorm: number;
  epochs: number;
  /** Vocabulary: minimum count in the training texts, and size cap. */
  minCount: number;
  maxVocab: number;
  /** Path of GloVe-format word vectors (.txt or .zip) to initialise the token table; '' = random. */
  wordVectors: string;
  seed: number;
  /** onnxruntime intra-op threads. */
  threads: number;
}

export const DEFAULT_CONFIG: ThoughtSpaceConfig = {
  dim: 64,
  embeddingDim: 50,
  outputDim: 64,
  blocks: 1,
  heads: 2,
  ffnMultiplier: 2,
  dropout: 0.1,
  rationaleTokens: 48,
  behaviourTokens: 64,
  shareEmbeddings: true,
  groupSize: 11,
  groupsPerStep: 8,
  temperature: 0.1,
  symmetric: true,
  lr: 0.002,
  warmupFraction: 0.05,
  weightDecay: 0.01,
  clipNorm: 1,
  epochs: 8,
  minCount: 2,
  maxVocab: 20_000,
  wordVectors: '',
  seed: 1,
  threads: 2,
};

/** Truncation of each tower's input (see the field docs). */
export const TRUNCATION: Readonly<Record<'rationale' | 'behaviour', Truncation>> = {
  rationale: 'start',
  behaviour: 'end',
};

/** Defaults filled in and every field checked; errors name the field and the bad value. */
export function validateConfig(partial: Partial<ThoughtSpaceConfig> = {}): ThoughtSpaceConfig {
  const c: ThoughtSpaceConfig = {
    ...DEFAULT_CONFIG,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  const positiveInts: (keyof ThoughtSpaceConfig)[] = [
    'dim',
    'embeddingDim',
    'outputDim',
    'heads',
    'ffnMultiplier',
    'rationaleTokens',
    'behaviourTokens',
    'groupSize',
    'groupsPerStep',
    'epochs',
    'minCount',
    'maxVocab',
    'threads',
  ];
  for (const k of positiveInts) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1)
      throw new InvalidArgumentError(`config.${k} must be a positive integer, got ${v}`);
  }
  const range = (k: keyof ThoughtSpaceConfig, lo: number, hi: number, openLo = false) => {
    const v = c[k] as number;
    if (typeof v !== 'number' || !(openLo ? v > lo : v >= lo) || !(v <= hi))
      throw new InvalidArgumentError(
        `config.${k} must be in ${openLo ? '(' : '['}${lo}, ${hi}], got ${v}`,
      );
  };
  range('blocks', 0, 12);
  range('dropout', 0, 0.9);
  range('temperature', 0, 10, true);
  range('lr', 0, 1, true);
  range('warmupFraction', 0, 1);
  range('weightDecay', 0, 1);
  range('clipNorm', 0, 1e6);
  if (!Number.isInteger(c.blocks))
    throw new InvalidArgumentError(`config.blocks must be an integer, got ${c.blocks}`);
  if (c.groupSize < 2)
    throw new InvalidArgumentError(`config.groupSize must be >= 2, got ${c.groupSize}`);
  if (c.dim % c.heads !== 0)
    throw new InvalidArgumentError(
      `config.dim ${c.dim} must be divisible by config.heads ${c.heads}`,
    );
  if (c.maxVocab < 3)
    throw new InvalidArgumentError(`config.maxVocab must be >= 3, got ${c.maxVocab}`);
  if (!Number.isInteger(c.seed))
    throw new InvalidArgumentError(`config.seed must be an integer, got ${c.seed}`);
  if (typeof c.wordVectors !== 'string')
    throw new InvalidArgumentError('config.wordVectors must be a path or ""');
  return c;
}
