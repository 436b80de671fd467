import {
  intVar,
  readConfig,
  SERVICE_CONFIG,
  METRICS_CONFIG,
  stringVar,
  type ConfigOf,
} from '@thoughtspace/service-kit';
import { DEFAULT_BUDGETS } from './domain/recommend';
import { DEFAULT_DEADLINE_MS } from './server';

const address = (name: string, service: string) =>
  stringVar({ name, description: `host:port of ${service}` });

/** gateway's environment: the shared service variables, its four downstream services and budgets. */
export const GATEWAY_CONFIG = {
  ...SERVICE_CONFIG,
  ...METRICS_CONFIG,
  dataset: stringVar({
    name: 'DATASET',
    description: 'catalogue the item ids refer to (item text, known users for user_id requests)',
  }),
  candidateGenAddress: address('CANDIDATE_GEN_ADDR', 'candidate-gen'),
  rationaleGenAddress: address('RATIONALE_GEN_ADDR', 'rationale-gen'),
  totSelectorAddress: address('TOT_SELECTOR_ADDR', 'tot-selector'),
  scorerAddress: address('SCORER_ADDR', 'scorer'),
  reasoningBudgetMs: intVar({
    name: 'REASONING_BUDGET_MS',
    default: DEFAULT_BUDGETS.reasoningMs,
    min: 1,
    max: 600_000,
    description: 'most time the reasoning stages may take before the answer degrades to no reason',
  }),
  scoreReserveMs: intVar({
    name: 'SCORE_RESERVE_MS',
    default: DEFAULT_BUDGETS.scoreReserveMs,
    min: 0,
    max: 60_000,
    description: 'time of the deadline always kept for scoring',
  }),
  defaultDeadlineMs: intVar({
    name: 'DEFAULT_DEADLINE_MS',
    default: DEFAULT_DEADLINE_MS,
    min: 1,
    max: 600_000,
    description: 'deadline of calls that arrive without one',
  }),
  candidates: intVar({
    name: 'CANDIDATES',
    default: 50,
    min: 1,
    max: 1000,
    description: 'candidates SASRec proposes before the scorer re-ranks',
  }),
};

export type GatewayConfig = ConfigOf<typeof GATEWAY_CONFIG>;

/** The one place gateway reads process.env; throws naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return readConfig(GATEWAY_CONFIG, env);
}
