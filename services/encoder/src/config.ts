import {
  intVar,
  readConfig,
  MODEL_SERVICE_CONFIG,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';
import { DEFAULT_LIMITS } from './domain/encoder';

/** encoder's environment: the shared service variables plus the model and request limits. */
export const ENCODER_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  modelDir: stringVar({
    name: 'MODEL_DIR',
    description: 'Thought Space model directory written by runEncoderExperiment / saveThoughtSpace',
  }),
  ...MODEL_SERVICE_CONFIG,
  maxTexts: intVar({
    name: 'MAX_TEXTS',
    description: 'most texts one Encode call may carry',
    default: DEFAULT_LIMITS.maxTexts,
    min: 1,
    max: 1024,
  }),
  maxTextChars: intVar({
    name: 'MAX_TEXT_CHARS',
    description: 'longest text accepted (characters)',
    default: DEFAULT_LIMITS.maxTextChars,
    min: 1,
    max: 1_000_000,
  }),
  maxHistory: intVar({
    name: 'MAX_HISTORY',
    description: 'longest behaviour history a request may carry (interactions)',
    default: DEFAULT_LIMITS.maxHistory,
    min: 1,
    max: 1_000_000,
  }),
};

export type EncoderConfig = ConfigOf<typeof ENCODER_CONFIG>;

/** The one place the encoder service reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EncoderConfig {
  return readConfig(ENCODER_CONFIG, env);
}
