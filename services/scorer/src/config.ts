import {
  intVar,
  MODEL_SERVICE_CONFIG,
  readConfig,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';
import { DEFAULT_SCORING_LIMITS } from './domain/scoring';

/** scorer's environment: the shared service variables, its three model directories and the catalogue. */
export const SCORER_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  modelDir: stringVar({
    name: 'MODEL_DIR',
    description:
      'scorer model directory (model.json, scorer.onnx, fit.json) written by the main job',
  }),
  sasrecDir: stringVar({
    name: 'SASREC_MODEL_DIR',
    description: "candidate-gen's SASRec directory: the scorer's logit and item-vector features",
  }),
  encoderDir: stringVar({
    name: 'ENCODER_MODEL_DIR',
    description: "the encoder's Thought Space directory: E1(reason) and the agreement feature",
  }),
  dataset: stringVar({
    name: 'DATASET',
    description: 'catalogue the item ids refer to (item text for the behaviour rendering)',
  }),
  ...MODEL_SERVICE_CONFIG,
  maxCandidates: intVar({
    name: 'MAX_CANDIDATES',
    default: DEFAULT_SCORING_LIMITS.maxCandidates,
    min: 1,
    max: 1_000_000,
  }),
  maxHistory: intVar({
    name: 'MAX_HISTORY',
    default: DEFAULT_SCORING_LIMITS.maxHistory,
    min: 1,
    max: 1_000_000,
  }),
};

export type ScorerServiceConfig = ConfigOf<typeof SCORER_CONFIG>;

/** The one place scorer reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ScorerServiceConfig {
  return readConfig(SCORER_CONFIG, env);
}
