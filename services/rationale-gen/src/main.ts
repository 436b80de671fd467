// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { prepareDataset } from '@thoughtspace/data';
import { runMain, runService, type RunningService } from '@thoughtspace/service-kit';
import { createRationaleCache, withCache } from './cache';
import { loadConfig, type RationaleGenConfig } from './config';
import { createRationaleService } from './domain/service';
import { createProvider } from './providers/factory';
import { createServer } from './server';
import type { RationaleProvider } from './types';

/**
 * Start rationale-gen: load the catalogue and the configured providers
 * (embedded always; llama-cpp with LLAMA_MODEL_PATH; openai with
 * OPENAI_BASE_URL) and serve them.
 */
export function runRationaleGen(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'rationale-gen',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const { dataset, manifest } = await prepareDataset({ dataset: config.dataset, env });
      const catalogue = new Map(dataset.items.map((item) => [item.id, item]));
      const providers = await buildProviders(config);
      const service = createRationaleService({
        providers,
        defaultProvider: config.provider,
        catalogue,
        limits: { maxHistory: config.maxHistory },
      });
      return {
        ...createServer({ service, logger, interceptors: [rpc.interceptor] }),
        ready: {
          dataset: manifest.hash.slice(0, 12),
          items: catalogue.size,
          providers: Object.values(providers).map((p) => `${p.name}:${p.model}`),
          defaultProvider: config.provider,
          cache: config.cacheDir ?? 'off',
        },
        dispose: () => service.dispose(),
      };
    },
  });
}

async function buildProviders(
  config: RationaleGenConfig,
): Promise<Record<string, RationaleProvider>> {
  const out: Record<string, RationaleProvider> = {
    embedded: await createProvider({ kind: 'embedded' }),
  };
  if (config.llamaModelPath) {
    out['llama-cpp'] = await createProvider({
      kind: 'llama-cpp',
      modelPath: config.llamaModelPath,
      threads: config.llamaThreads,
      contextSize: config.llamaContextSize,
      gpu: config.llamaGpu === 'false' ? false : config.llamaGpu,
      timeoutMs: config.llamaTimeoutMs,
      temperature: config.temperature,
      maxTokens: config.maxTokens,
    });
  }
  if (config.openaiBaseUrl) {
    out.openai = await createProvider({
      kind: 'openai',
      baseURL: config.openaiBaseUrl,
      model: config.openaiModel!,
      apiKey: config.openaiApiKey,
      timeoutMs: config.openaiTimeoutMs,
      maxRetries: config.openaiMaxRetries,
      concurrency: config.openaiConcurrency,
      responseFormat: config.openaiResponseFormat,
      temperature: config.temperature,
      maxTokens: config.maxTokens,
      fallback: config.openaiFallback ? 'embedded' : undefined,
    });
  }
  if (config.cacheDir) {
    const cache = createRationaleCache({ dir: config.cacheDir });
    for (const [name, p] of Object.entries(out)) out[name] = withCache(p, cache);
  }
  return out;
}

if (require.main === module) runMain('rationale-gen', () => runRationaleGen());
