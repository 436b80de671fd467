import {
  intVar,
  readConfig,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';

/** tot-selector's environment: the shared service variables, its two downstream services and tree defaults. */
export const TOT_SELECTOR_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  rationaleGenAddress: stringVar({
    name: 'RATIONALE_GEN_ADDR',
    description: 'host:port of rationale-gen (REFINE calls that grow the tree)',
  }),
  encoderAddress: stringVar({
    name: 'ENCODER_ADDR',
    description: 'host:port of the encoder (Thought-Space agreement of every leaf)',
  }),
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
  return readConfig(TOT_SELECTOR_CONFIG, env);
}
