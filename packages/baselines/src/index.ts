export type { CandidateScorer, FitInput } from './scorer';
export { randomScorer } from './random';
export { popularityScorer, itemCounts } from './popularity';
export { markovScorer } from './markov';
export { evaluateScorer } from './harness';
export type { ScorerRun } from './harness';
export { createBaseline, BASELINES } from './registry';
export type { BaselineName } from './registry';
