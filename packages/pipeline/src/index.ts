export type {
  HistoryEvent,
  CallOptions,
  ScoredItem,
  SimilarUser,
  CandidatePort,
  CataloguePort,
  Reason,
  ReasonPort,
  TreeNode,
  SelectionStrategy,
  SelectionPort,
  ThoughtSpacePort,
  ScorerPort,
  PipelinePorts,
} from './ports';
export { createPipeline, STAGES, DEFAULT_PIPELINE } from './chain';
export type {
  Pipeline,
  PipelineDefaults,
  RecommendRequest,
  RecommendResponse,
  StageName,
} from './chain';
export {
  writeServingBundle,
  readServingBundle,
  BUNDLE_FORMAT,
  BUNDLE_FILE,
  BUNDLE_MODELS,
} from './bundle';
export type { BundleManifest, BundleModel } from './bundle';
