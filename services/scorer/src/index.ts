export { buildScorer } from './model';
export type { ScorerShape, ScorerGraph } from './model';
export { trainScorer, scoreExamples, DEFAULT_SCORER_CONFIG } from './train';
export type { ScorerExample, ScorerConfig, TrainedScorer } from './train';
export { saveScorer, loadScorer, SCORER_MODEL_FORMAT } from './serving/artifact';
export type { ScorerManifest, LoadedScorer } from './serving/artifact';
export {
  createScoringDomain,
  createFeatureBuilder,
  itemBehaviours,
  DEFAULT_SCORING_LIMITS,
  FEATURE_NAMES,
} from './domain/scoring';
export type {
  ScoringDomain,
  ScoringLimits,
  SasrecFeatures,
  ThoughtSpaceFeatures,
  HistoryInput,
  ScorerInputs,
  FeatureLayout,
  FeatureBuilder,
  HandedInput,
  HandedVector,
  ScoreInput,
} from './domain/scoring';
export { loadServedScorer } from './serving/load';
export type { ServedScorer } from './serving/load';
export { createServer, SERVICE_NAME } from './server';
export type { ScorerDeps } from './server';
export { loadConfig, SCORER_CONFIG } from './config';
export type { ScorerServiceConfig } from './config';
export { runScorer } from './main';
export {
  collaborativeFeatures,
  scorerExamples,
  sasrecScale,
  COLLABORATIVE_FEATURES,
  SCORER_FEATURES,
  AGREEMENT_FEATURES,
  DEFAULT_AGREEMENT,
  agreementOf,
  agreementText,
  scorerFeatureNames,
} from './features';
export type { AgreementFeature } from './features';
