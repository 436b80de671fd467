import { InvalidArgumentError } from '@thoughtspace/runtime';
import { sanitizeUntrusted } from '@thoughtspace/text';
import type { AgreementFn } from './select';

/**
 * A language model that scores fixed text: log p(continuation | prompt). The
 * shape of rationale-gen's `RationaleProvider.scoreContinuation` (providers
 * with `capabilities.logprobs`), declared here so tot-selector needs only the
 * capability, not the provider package.
 */
export interface ContinuationScorer {
  scoreContinuation(
    prompt: string,
    continuation: string,
  ): Promise<{ logProb: number; tokens: number }>;
}

export interface LikelihoodOptions {
  /**
   * Characters of the behaviour text scored (default 1200): its most recent
   * lines, so prompt + behaviour fit a small model's context.
   */
  maxBehaviourChars?: number;
  /** Characters of a reason put in the prompt (default 800). */
  maxReasonChars?: number;
}

export const LIKELIHOOD_DEFAULTS = { maxBehaviourChars: 1200, maxReasonChars: 800 } as const;

/** The prompt a leaf's reason becomes: the reason, then the behaviour it should explain. */
export function likelihoodPrompt(reason: string, maxReasonChars: number): string {
  return `Why this shopper buys what they buy: ${sanitizeUntrusted(reason, { maxChars: maxReasonChars })}\nWhat they bought, oldest first:\n`;
}

/**
 * The LOG_LIKELIHOOD strategy's agreement: for each leaf, the mean per-token
 * log-probability of the behaviour text given the leaf's reason,
 * (1/T) * sum_t ln p(b_t | reason, b_<t). The leaf that makes the user's
 * behaviour most likely wins. The behaviour is the same target-free text the
 * other strategies compare with (the history; never a test item), so the
 * per-token mean ranks leaves exactly as the sum does and reads in nats/token.
 */
export function likelihoodAgreement(
  scorer: ContinuationScorer,
  options: LikelihoodOptions = {},
): AgreementFn {
  const maxBehaviourChars = options.maxBehaviourChars ?? LIKELIHOOD_DEFAULTS.maxBehaviourChars;
  const maxReasonChars = options.maxReasonChars ?? LIKELIHOOD_DEFAULTS.maxReasonChars;
  for (const [name, v] of Object.entries({ maxBehaviourChars, maxReasonChars }))
    if (!Number.isInteger(v) || v < 16)
      throw new InvalidArgumentError(`${name}: must be an integer >= 16, got ${String(v)}`);
  return async (reasons, behaviour) => {
    const continuation = recentTail(behaviour, maxBehaviourChars);
    if (!continuation)
      throw new InvalidArgumentError('behaviour: empty; log-likelihood needs a history to score');
    const scores = new Float64Array(reasons.length);
    for (let i = 0; i < reasons.length; i++) {
      const s = await scorer.scoreContinuation(
        likelihoodPrompt(reasons[i], maxReasonChars),
        continuation,
      );
      scores[i] = s.logProb / s.tokens;
    }
    return scores;
  };
}

/** The last `maxChars` of `text`, starting at a line (else word) boundary so no item is cut in half. */
export function recentTail(text: string, maxChars: number): string {
  const t = text.trim();
  if (t.length <= maxChars) return t;
  const cut = t.slice(t.length - maxChars);
  const line = cut.indexOf('\n');
  if (line >= 0 && line < cut.length - 1) return cut.slice(line + 1).trim();
  const space = cut.indexOf(' ');
  return (space >= 0 ? cut.slice(space + 1) : cut).trim();
}
