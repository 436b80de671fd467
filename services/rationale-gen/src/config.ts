import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  boolVar,
  enumVar,
  envVar,
  intVar,
  readConfig,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  stringVar,
  floatVar,
  z,
  type ConfigOf,
} from '@thoughtspace/service-kit';
import { DEFAULT_REQUEST_LIMITS } from './domain/request';
import { PROVIDER_KINDS } from './providers/factory';

/** rationale-gen's environment: the shared service variables plus providers, cache and limits. */
export const RATIONALE_GEN_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  dataset: stringVar({
    name: 'DATASET',
    description: 'catalogue the item ids refer to: a preset name or a dataset folder',
  }),
  provider: enumVar({
    name: 'RATIONALE_PROVIDER',
    values: PROVIDER_KINDS,
    default: 'embedded',
    description: 'default provider when a task names none',
  }),
  cacheDir: stringVar({
    name: 'RATIONALE_CACHE_DIR',
    optional: true,
    description: 'persistent rationale cache folder (unset = no cache)',
  }),
  llamaModelPath: stringVar({
    name: 'LLAMA_MODEL_PATH',
    optional: true,
    description: 'GGUF file; enables the llama-cpp provider',
  }),
  llamaThreads: intVar({
    name: 'LLAMA_THREADS',
    description: 'llama-cpp threads per context',
    default: 1,
    min: 1,
    max: 256,
  }),
  llamaContextSize: intVar({
    name: 'LLAMA_CONTEXT_SIZE',
    description: "llama-cpp context tokens (unset = the model's, at most 4096)",
    optional: true,
    min: 256,
    max: 131_072,
  }),
  llamaGpu: enumVar({
    name: 'LLAMA_GPU',
    description: 'llama-cpp GPU backend (false = CPU only)',
    values: ['false', 'auto', 'cuda', 'vulkan'] as const,
    default: 'false',
  }),
  llamaTimeoutMs: intVar({
    name: 'LLAMA_TIMEOUT_MS',
    description: 'llama-cpp time limit per generation',
    default: 60_000,
    min: 1,
    max: 3_600_000,
  }),
  openaiBaseUrl: envVar('OPENAI_BASE_URL', z.url({ message: 'is not a URL' }), {
    optional: true,
    type: 'URL',
    description:
      'OpenAI-compatible API base, e.g. http://vllm:8000/v1; enables the openai provider',
  }),
  openaiModel: stringVar({
    name: 'OPENAI_MODEL',
    description: 'model name sent to the endpoint; required with OPENAI_BASE_URL',
    optional: true,
  }),
  openaiApiKey: stringVar({
    name: 'OPENAI_API_KEY',
    description: 'bearer token for the endpoint (never logged)',
    optional: true,
    secret: true,
  }),
  openaiTimeoutMs: intVar({
    name: 'OPENAI_TIMEOUT_MS',
    description: 'time limit per endpoint attempt',
    default: 30_000,
    min: 1,
    max: 3_600_000,
  }),
  openaiMaxRetries: intVar({
    name: 'OPENAI_MAX_RETRIES',
    description: 'retries after the first attempt',
    default: 3,
    min: 0,
    max: 10,
  }),
  openaiConcurrency: intVar({
    name: 'OPENAI_CONCURRENCY',
    description: 'endpoint requests in flight at once',
    default: 4,
    min: 1,
    max: 256,
  }),
  openaiResponseFormat: enumVar({
    name: 'OPENAI_RESPONSE_FORMAT',
    description: 'how JSON output is requested from the endpoint',
    values: ['json_schema', 'json_object', 'none'] as const,
    default: 'json_schema',
  }),
  openaiFallback: boolVar({
    name: 'OPENAI_FALLBACK_EMBEDDED',
    default: false,
    description: 'answer with the embedded composer when the endpoint keeps failing',
  }),
  temperature: floatVar({
    name: 'RATIONALE_TEMPERATURE',
    description: 'sampling temperature for language models',
    default: 0.7,
    min: 0,
    max: 2,
  }),
  maxTokens: intVar({
    name: 'RATIONALE_MAX_TOKENS',
    description: 'default completion limit in tokens',
    default: 256,
    min: 1,
    max: 8192,
  }),
  maxHistory: intVar({
    name: 'MAX_HISTORY',
    description: 'longest history a request may carry (interactions)',
    default: DEFAULT_REQUEST_LIMITS.maxHistory,
    min: 1,
    max: 1_000_000,
  }),
};

export type RationaleGenConfig = ConfigOf<typeof RATIONALE_GEN_CONFIG>;

/** The one place rationale-gen reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RationaleGenConfig {
  const config = readConfig(RATIONALE_GEN_CONFIG, env);
  const problems: string[] = [];
  if (config.openaiBaseUrl && !config.openaiModel) {
    problems.push('OPENAI_MODEL is required when OPENAI_BASE_URL is set');
  }
  if (config.provider === 'openai' && !config.openaiBaseUrl) {
    problems.push('OPENAI_BASE_URL is required when RATIONALE_PROVIDER=openai');
  }
  if (config.provider === 'llama-cpp' && !config.llamaModelPath) {
    problems.push('LLAMA_MODEL_PATH is required when RATIONALE_PROVIDER=llama-cpp');
  }
  if (problems.length > 0) {
    throw new InvalidArgumentError(`invalid configuration: ${problems.join('; ')}`);
  }
  return config;
}
