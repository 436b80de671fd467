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
