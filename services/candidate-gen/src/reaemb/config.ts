import { InvalidArgumentError } from '@thoughtspace/runtime';

/**
 * ReaEmb hyperparameters. The defaults are sized for a 2-core CPU; the paper
 * runs a billion-parameter LM (set `hidden`/`blocks`/`maxTokens` up on a GPU
 * node pool).
 */
export interface ReaEmbConfig {
  /** Attribute tokens per item (the thought token is appended after them). */
  maxTokens: number;
  /** Keep the most frequent words (plus padding and unknown). */
  vocabulary: number;
  hidden: number;
  blocks: number;
  heads: number;
  /** LRCL: probability of dropping each attribute in a view (at least one is kept). */
  dropAttribute: number;
  /** LRCL: soft-target smoothing (mass spread over the other in-batch items). */
  smoothing: number;
  /** LRCL: initial temperature of the learnable temperature. */
  temperature: number;
  lrclEpochs: number;
  lrclLr: number;
  batch: number;
  /** CRRL: co-occurrence window on training sequences (positions apart). */
  window: number;
  /** CRRL: thoughts per item (one clean, the rest noisy). */
  group: number;
  /** CRRL: standard deviation of the Gaussian thought policy. */
  noise: number;
  /** CRRL: PPO clip range. */
  clip: number;
  /** CRRL: policy updates per rollout. */
  updatesPerRollout: number;
  crrlEpochs: number;
  crrlLr: number;
  /** CRRL: anchors per epoch (0 = every anchor that has a co-occurring item). */
  crrlAnchors: number;
  seed: number;
  threads: number;
}

export const DEFAULT_REAEMB: ReaEmbConfig = {
  maxTokens: 32,
  vocabulary: 8000,
  hidden: 64,
  blocks: 1,
  heads: 2,
  dropAttribute: 0.3,
  smoothing: 0.1,
  temperature: 0.1,
  lrclEpochs: 3,
  lrclLr: 0.002,
  batch: 64,
  window: 3,
  group: 4,
  noise: 0.1,
  clip: 0.2,
  updatesPerRollout: 2,
  crrlEpochs: 1,
  crrlLr: 0.0005,
  crrlAnchors: 0,
  seed: 1,
  threads: 2,
};

export function validateReaEmbConfig(partial: Partial<ReaEmbConfig> = {}): ReaEmbConfig {
  const c: ReaEmbConfig = {
    ...DEFAULT_REAEMB,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  const ints: (keyof ReaEmbConfig)[] = [
    'maxTokens',
    'vocabulary',
    'hidden',
    'blocks',
    'heads',
    'batch',
    'window',
    'group',
    'updatesPerRollout',
    'threads',
  ];
  for (const k of ints) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new InvalidArgumentError(`reaemb: ${k} must be a positive integer, got ${String(v)}`);
  }
  for (const k of ['lrclEpochs', 'crrlEpochs', 'crrlAnchors'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0)
      throw new InvalidArgumentError(`reaemb: ${k} must be an integer >= 0, got ${String(c[k])}`);
  }
  if (c.hidden % c.heads !== 0)
    throw new InvalidArgumentError(
      `reaemb: hidden (${c.hidden}) must be divisible by heads (${c.heads})`,
    );
  if (c.group < 2) throw new InvalidArgumentError(`reaemb: group must be >= 2, got ${c.group}`);
  const unit = (k: 'dropAttribute' | 'smoothing', v: number) => {
    if (!(v >= 0 && v < 1))
      throw new InvalidArgumentError(`reaemb: ${k} must be in [0, 1), got ${v}`);
  };
  unit('dropAttribute', c.dropAttribute);
  unit('smoothing', c.smoothing);
  for (const k of ['temperature', 'lrclLr', 'crrlLr', 'noise', 'clip'] as const) {
    if (!(c[k] > 0))
      throw new InvalidArgumentError(`reaemb: ${k} must be > 0, got ${String(c[k])}`);
  }
  return c;
}
