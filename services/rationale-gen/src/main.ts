import { prepareDataset } from '@thoughtspace/data';
import {
  createLogger,
  setupTelemetry,
  shutdownOnSignals,
  startServer,
} from '@thoughtspace/service-kit';
import { createRationaleCache, withCache } from './cache';
import { loadConfig, type RationaleGenConfig } from './config';
import { createRationaleService } from './domain/service';
import { createProvider } from './providers/factory';
import { createServer } from './server';
import type { RationaleProvider } from './types';

/**
 * Start rationale-gen: read config, load the catalogue and the configured
 * providers (embedded always; llama-cpp with LLAMA_MODEL_PATH; openai with
 * OPENAI_BASE_URL), bind, flip health to SERVING, shut down on SIGTERM/SIGINT.
 */
export async function runRationaleGen(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const config = loadConfig(env);
  const logger = createLogger({ namespace: 'rationale-gen', level: config.logLevel });
  const telemetry = setupTelemetry({
    serviceName: 'rationale-gen',
    exporter: config.tracesExporter,
    otlpEndpoint: config.otlpEndpoint,
  });
  const { dataset, manifest } = await prepareDataset({ dataset: config.dataset, env });
  const catalogue = new Map(dataset.items.map((item) => [item.id, item]));
  const providers = await buildProviders(config);
  const service = createRationaleService({
    providers,
    defaultProvider: config.provider,
    catalogue,
    limits: { maxHistory: config.maxHistory },
  });
  const { server, health } = createServer({ service, logger });
  const { port, address } = await startServer({
    server,
    host: config.host,
    port: config.port,
    logger,
  });
  health.setAllServing();
  logger.info('rationale-gen ready', {
    address,
    dataset: manifest.hash.slice(0, 12),
    items: catalogue.size,
    providers: Object.values(providers).map((p) => `${p.name}:${p.model}`),
    defaultProvider: config.provider,
    cache: config.cacheDir ?? 'off',
  });
  const cleanup = async () => {
    await service.dispose();
    await telemetry.shutdown();
  };
  shutdownOnSignals({
    server,
    health,
    timeoutMs: config.shutdownTimeoutMs,
    drainDelayMs: config.drainDelayMs,
    logger,
    onShutdown: cleanup,
  });
  return {
    port,
    stop: async () => {
      health.shutdown();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await cleanup();
    },
  };
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

if (require.main === module) {
  runRationaleGen().catch((err: unknown) => {
    process.stderr.write(`rationale-gen: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
