export type { CandidateScorer, FitInput } from './scorer';
export { randomScorer } from './random';
export { popularityScorer, itemCounts } from './popularity';
export { markovScorer } from './markov';
export { evaluateScorer, evaluateBatched } from './harness';
export type { ScorerRun, ScoringCase, BatchScorer } from './harness';
export { createBaseline, BASELINES } from './registry';
export type { BaselineName } from './registry';
export {
  buildFullRankingSet,
  evaluateFullRanking,
  evaluateFullRankingBatched,
  fullCandidates,
  rankInCatalogue,
} from './full-ranking';
export type {
  FullRankingSet,
  FullRankingCase,
  FullRankingOptions,
  BatchRanker,
} from './full-ranking';
