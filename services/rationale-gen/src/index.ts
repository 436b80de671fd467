export type {
  RationaleKind,
  RationaleRequest,
  Rationale,
  RationaleProvider,
  GenerateOptions,
  HistoryEntry,
  ProviderCapabilities,
  ContinuationScore,
} from './types';
export { RATIONALE_KINDS, supportsLogprobs } from './types';
export { createProvider, PROVIDER_KINDS } from './providers/factory';
export type { ProviderKind, ProviderOptions } from './providers/factory';
export { createEmbeddedProvider, COMPOSER_VERSION } from './providers/embedded';
export { createOpenAIProvider } from './providers/openai';
export type { OpenAIProviderOptions } from './providers/openai';
export { createLlamaCppProvider } from './providers/llama-cpp';
export type { LlamaCppProviderOptions } from './providers/llama-cpp';
export { refinementDirections, DIRECTIONS } from './domain/directions';
export { validateRequest, DEFAULT_REQUEST_LIMITS } from './domain/request';
export type { RequestLimits } from './domain/request';
export { buildPrompt, PROMPT_VERSION, RATIONALE_SCHEMA, DEFAULT_PROMPT_LIMITS } from './prompts';
export type { Prompt, PromptLimits } from './prompts';
export { createRationaleCache, withCache, canonicalJson } from './cache';
export type { RationaleCache, CacheStats } from './cache';
export { createRationaleService, MAX_ALTERNATIVES } from './domain/service';
export type {
  RationaleService,
  RationaleTaskInput,
  RationaleResult,
  ServiceGenerateOptions,
} from './domain/service';
export { createServer, SERVICE_NAME } from './server';
export type { RationaleGenDeps } from './server';
export { loadConfig, RATIONALE_GEN_CONFIG } from './config';
export type { RationaleGenConfig } from './config';
export { runRationaleGen } from './main';
