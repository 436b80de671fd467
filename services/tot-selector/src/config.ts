import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  intVar,
  readConfig,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  MODEL_SERVICE_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';

/**
 * tot-selector's environment: the shared service variables, rationale-gen,
 * the Thought Space (in this process from a model folder, or the encoder
 * service) and tree defaults.
 */
export const TOT_SELECTOR_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  rationaleGenAddress: stringVar({
    name: 'RATIONALE_GEN_ADDR',
    description: 'host:port of rationale-gen (one REFINE call writes each tree)',
  }),
  thoughtSpaceDir: stringVar({
    name: 'THOUGHT_SPACE_DIR',
    optional: true,
    description:
      'encoder model folder: the Thought-Space agreement of every leaf runs in this process (one call fewer per Select; decision 0030); else ENCODER_ADDR',
  }),
  encoderAddress: stringVar({
    name: 'ENCODER_ADDR',
    optional: true,
    description:
      'host:port of the encoder, for the Thought-Space agreement when THOUGHT_SPACE_DIR is unset',
  }),
  ...MODEL_SERVICE_CONFIG,
  depth: intVar({ name: 'TREE_DEPTH', default: 2, min: 1, max: 4, description: 'default depth' }),
  b1: intVar({
    name: 'TREE_B1',
    default: 2,
    min: 1,
    max: 8,
    description: 'default children of the root',
  }),
  b2: intVar({
    name: 'TREE_B2',
    default: 3,
    min: 1,
    max: 8,
    description: 'default children of every deeper node',
  }),
  seed: intVar({
    name: 'SEED',
    default: 1,
    min: 0,
    max: 2 ** 31 - 1,
    description: 'seed when a request has none',
  }),
};

export type TotSelectorConfig = ConfigOf<typeof TOT_SELECTOR_CONFIG>;

/** The one place tot-selector reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TotSelectorConfig {
  const config = readConfig(TOT_SELECTOR_CONFIG, env);
  if (Boolean(config.thoughtSpaceDir) === Boolean(config.encoderAddress)) {
    throw new InvalidArgumentError(
      'invalid configuration: set one of THOUGHT_SPACE_DIR (the Thought Space in this process) or ENCODER_ADDR (the encoder service)',
    );
  }
  return config;
}
