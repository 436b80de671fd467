import { compose } from '../domain/compose';
import { validateRequest } from '../domain/request';
import type { GenerateOptions, Rationale, RationaleProvider, RationaleRequest } from '../types';

/** Bumped whenever the composer's output for the same request changes (part of the cache key). */
export const COMPOSER_VERSION = 'composer-2';

/**
 * The default provider with no model: the evidence-grounded composer
 * (domain/compose.ts). Provider `embedded`, model `none` in every Rationale.
 */
export function createEmbeddedProvider(): RationaleProvider {
  return {
    name: 'embedded',
    model: 'none',
    fingerprint: COMPOSER_VERSION,
    // A composer, not a language model: there are no token probabilities to report.
    capabilities: { logprobs: false },
    async generate(req: RationaleRequest, opts: GenerateOptions = {}): Promise<Rationale> {
      opts.signal?.throwIfAborted();
      validateRequest(req);
      const { reason, evidence } = compose(req);
      return { reason, evidence, provider: 'embedded', model: 'none', kind: req.kind };
    },
    async dispose() {},
  };
}
