import { createRationaleCache, withCache } from '../cache';
import { InvalidArgumentError } from '../errors';
import type { RationaleProvider } from '../types';
import { createEmbeddedProvider } from './embedded';
import { createLlamaCppProvider, type LlamaCppProviderOptions } from './llama-cpp';
import { createOpenAIProvider, type OpenAIProviderOptions } from './openai';

export const PROVIDER_KINDS = ['embedded', 'llama-cpp', 'openai'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export type ProviderOptions = (
  | { kind: 'embedded' }
  | ({ kind: 'llama-cpp' } & LlamaCppProviderOptions)
  | ({ kind: 'openai'; fallback?: 'embedded' } & Omit<OpenAIProviderOptions, 'fallback'>)
) & {
  /**
   * Persistent rationale cache for language-model providers (a rerun skips
   * generation). The embedded composer is never cached: it is deterministic
   * and faster than a cache lookup.
   */
  cacheDir?: string;
};

/**
 * One factory for every provider: `createProvider({ kind: 'embedded' })`,
 * `createProvider({ kind: 'llama-cpp', modelPath })`,
 * `createProvider({ kind: 'openai', baseURL, model, apiKey, fallback: 'embedded' })`.
 * Resolves once the provider is ready (the GGUF loaded for llama-cpp).
 */
export async function createProvider(options: ProviderOptions): Promise<RationaleProvider> {
  const cached = (p: RationaleProvider) =>
    options.cacheDir ? withCache(p, createRationaleCache({ dir: options.cacheDir })) : p;
  switch (options.kind) {
    case 'embedded':
      return createEmbeddedProvider();
    case 'llama-cpp':
      if (!options.modelPath)
        throw new InvalidArgumentError('modelPath: llama-cpp needs the path to a .gguf model');
      // The extra `kind` member is ignored by the provider.
      return cached(await createLlamaCppProvider(options));
    case 'openai':
      if (!options.baseURL || !options.model)
        throw new InvalidArgumentError(
          `${options.baseURL ? 'model' : 'baseURL'}: openai needs an endpoint (baseURL) and a model name`,
        );
      return cached(
        createOpenAIProvider({
          ...options,
          fallback: options.fallback === 'embedded' ? createEmbeddedProvider() : undefined,
        }),
      );
    default:
      throw new InvalidArgumentError(
        `provider kind must be one of ${PROVIDER_KINDS.join(', ')}, got ${JSON.stringify((options as { kind: unknown }).kind)}`,
      );
  }
}
