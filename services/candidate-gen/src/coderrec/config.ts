import { InvalidArgumentError } from '@thoughtspace/runtime';
import { DEFAULT_RQVAE, validateRqVaeConfig, type RqVaeConfig } from './rqvae';

/**
 * CoderRec hyperparameters. Defaults fit a 2-core CPU; the paper's public code
 * uses the last 20 items, an RQ-VAE of 3 x 256 codes and an LLM on the text
 * side (here: averaged GloVe vectors or ReaEmb embeddings).
 */
export interface CoderRecConfig {
  maxLen: number;
  hidden: number;
  blocks: number;
  heads: number;
  dropout: number;
  lr: number;
  batch: number;
  /** Phase 1: recommendation + semantic-ID + alignment losses, no reasoning passes. */
  phase1Epochs: number;
  /** Phase 2: continues from phase 1 with `reasoningSteps` latent passes and the three-way mix. */
  phase2Epochs: number;
  reasoningSteps: number;
  /** Weight of the next-item semantic-ID loss (summed over levels). */
  idWeight: number;
  /** Weight of the cross-scale alignment loss (1 - cosine to the next item's text vector). */
  alignWeight: number;
  /** Gumbel-softmax temperature, annealed geometrically from `tauStart` to `tauEnd` over training; inference uses `tauEnd` without noise. */
  tauStart: number;
  tauEnd: number;
  rqvae: RqVaeConfig;
  seed: number;
  threads: number;
}

export const DEFAULT_CODERREC: CoderRecConfig = {
  maxLen: 20,
  hidden: 64,
  blocks: 2,
  heads: 2,
  dropout: 0.2,
  lr: 0.001,
  batch: 128,
  phase1Epochs: 20,
  phase2Epochs: 10,
  reasoningSteps: 2,
  idWeight: 0.5,
  alignWeight: 0.5,
  tauStart: 1,
  tauEnd: 0.2,
  rqvae: DEFAULT_RQVAE,
  seed: 1,
  threads: 2,
};

export function validateCoderRecConfig(
  partial: Partial<Omit<CoderRecConfig, 'rqvae'>> & { rqvae?: Partial<RqVaeConfig> } = {},
): CoderRecConfig {
  const { rqvae, ...rest } = partial;
  const c: CoderRecConfig = {
    ...DEFAULT_CODERREC,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    rqvae: validateRqVaeConfig({ ...DEFAULT_RQVAE, ...(rqvae ?? {}) }),
  };
  for (const k of ['maxLen', 'hidden', 'blocks', 'heads', 'batch', 'threads'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new InvalidArgumentError(
        `coderrec: ${k} must be a positive integer, got ${String(c[k])}`,
      );
  }
  for (const k of ['phase1Epochs', 'phase2Epochs', 'reasoningSteps'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0)
      throw new InvalidArgumentError(`coderrec: ${k} must be an integer >= 0, got ${String(c[k])}`);
  }
  if (c.hidden % c.heads !== 0)
    throw new InvalidArgumentError(
      `coderrec: hidden (${c.hidden}) must be divisible by heads (${c.heads})`,
    );
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new InvalidArgumentError(`coderrec: dropout must be in [0, 1), got ${c.dropout}`);
  for (const k of ['lr', 'tauStart', 'tauEnd'] as const) {
    if (!(c[k] > 0))
      throw new InvalidArgumentError(`coderrec: ${k} must be > 0, got ${String(c[k])}`);
  }
  for (const k of ['idWeight', 'alignWeight'] as const) {
    if (!(c[k] >= 0))
      throw new InvalidArgumentError(`coderrec: ${k} must be >= 0, got ${String(c[k])}`);
  }
  return c;
}
