export { buildScorer } from './model';
export type { ScorerShape, ScorerGraph } from './model';
export { trainScorer, scoreExamples, DEFAULT_SCORER_CONFIG } from './train';
export type { ScorerExample, ScorerConfig, TrainedScorer } from './train';
export {
  collaborativeFeatures,
  scorerExamples,
  sasrecScale,
  COLLABORATIVE_FEATURES,
  SCORER_FEATURES,
} from './features';
