import {
  enumVar,
  intVar,
  readConfig,
  MODEL_SERVICE_CONFIG,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';
import { DEFAULT_LIMITS } from './domain/candidates';

/** Whether SASRec serves short histories through shorter graphs (candidate-gen and its stage worker). */
export const SEQUENCE_WINDOWS_CONFIG = {
  sequenceWindows: enumVar({
    name: 'SEQUENCE_WINDOWS',
    values: ['on', 'off'] as const,
    default: 'on',
    description:
      'on: a SASRec history shorter than the model window runs through a graph over its last 8, 16, 32, ... positions (the same outputs to about 1e-6, checked at load; decision 0034); off: every history runs through model.onnx as trained',
  }),
};

/** candidate-gen's environment: the shared service variables plus the model and request limits. */
export const CANDIDATE_GEN_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  modelDir: stringVar({
    name: 'MODEL_DIR',
    description: 'SASRec model directory written by `thoughtspace train sasrec`',
  }),
  ...MODEL_SERVICE_CONFIG,
  maxK: intVar({
    name: 'MAX_K',
    description: 'largest k a GenerateCandidates or SimilarUsers call may ask for',
    default: DEFAULT_LIMITS.maxK,
    min: 1,
    max: 100_000,
  }),
  maxHistory: intVar({
    name: 'MAX_HISTORY',
    description: 'longest history a request may carry (interactions)',
    default: DEFAULT_LIMITS.maxHistory,
    min: 1,
    max: 1_000_000,
  }),
  maxCandidates: intVar({
    name: 'MAX_CANDIDATES',
    description: 'most candidate ids a ScoreCandidates call may carry',
    default: DEFAULT_LIMITS.maxCandidates,
    min: 1,
    max: 1_000_000,
  }),
  ...SEQUENCE_WINDOWS_CONFIG,
};

export type CandidateGenConfig = ConfigOf<typeof CANDIDATE_GEN_CONFIG>;

/** The one place candidate-gen reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CandidateGenConfig {
  return readConfig(CANDIDATE_GEN_CONFIG, env);
}
