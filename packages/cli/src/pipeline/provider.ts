import { join } from 'node:path';
import {
  createProvider,
  createRationaleCache,
  withCache,
  type RationaleProvider,
} from '@thoughtspace/rationale-gen';
import { InvalidArgumentError } from '@thoughtspace/runtime';

export const PROVIDER_KINDS = ['embedded', 'llama-cpp', 'openai'] as const;

export interface ProviderFlags {
  provider: (typeof PROVIDER_KINDS)[number];
  gguf?: string;
  openaiBaseUrl?: string;
  openaiModel?: string;
  fallbackEmbedded?: boolean;
}

/**
 * The rationale provider the flags ask for. Language-model providers get a
 * persistent cache under the run folder so a rerun skips generation; the
 * embedded composer is deterministic and faster than a cache lookup.
 */
export async function providerFromFlags(
  flags: ProviderFlags,
  out: string,
): Promise<RationaleProvider> {
  const cache = () => createRationaleCache({ dir: join(out, 'rationale-cache') });
  switch (flags.provider) {
    case 'embedded':
      return createProvider({ kind: 'embedded' });
    case 'llama-cpp':
      if (!flags.gguf)
        throw new InvalidArgumentError('--provider llama-cpp needs --gguf <path to a .gguf model>');
      return withCache(await createProvider({ kind: 'llama-cpp', modelPath: flags.gguf }), cache());
    case 'openai':
      if (!flags.openaiBaseUrl || !flags.openaiModel) {
        throw new InvalidArgumentError(
          '--provider openai needs --openai-base-url and --openai-model (API key from OPENAI_API_KEY)',
        );
      }
      return withCache(
        await createProvider({
          kind: 'openai',
          baseURL: flags.openaiBaseUrl,
          model: flags.openaiModel,
          apiKey: process.env.OPENAI_API_KEY,
          fallback: flags.fallbackEmbedded ? 'embedded' : undefined,
        }),
        cache(),
      );
  }
}
