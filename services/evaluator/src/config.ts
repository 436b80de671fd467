import {
  intVar,
  readConfig,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';
import { DEFAULT_EVALUATOR_LIMITS } from './server';

/** evaluator's environment: the shared service variables plus the dataset and request limits. */
export const EVALUATOR_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  dataset: stringVar({
    name: 'DATASET',
    optional: true,
    description:
      'dataset (preset name or folder) whose leave-one-out targets fill in predictions without target_item_id; unset = every prediction must name its target',
  }),
  predictionsDir: stringVar({
    name: 'PREDICTIONS_DIR',
    optional: true,
    description: 'the only folder predictions_uri may read from; unset = inline batches only',
  }),
  maxResamples: intVar({
    name: 'MAX_BOOTSTRAP_RESAMPLES',
    default: DEFAULT_EVALUATOR_LIMITS.maxResamples,
    min: 10,
    max: 1_000_000,
  }),
  defaultResamples: intVar({
    name: 'BOOTSTRAP_RESAMPLES',
    default: DEFAULT_EVALUATOR_LIMITS.defaultResamples,
    min: 10,
    max: 1_000_000,
    description: 'resamples when a request sends 0',
  }),
};

export type EvaluatorConfig = ConfigOf<typeof EVALUATOR_CONFIG>;

/** The one place evaluator reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EvaluatorConfig {
  return readConfig(EVALUATOR_CONFIG, env);
}
