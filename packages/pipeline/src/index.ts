export type {
  HistoryEvent,
  CallOptions,
  ScoredItem,
  ModelVector,
  SimilarUser,
  NeighbourQuery,
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
export { createPipeline, reasonForHistory, STAGES, DEFAULT_PIPELINE } from './chain';
export type {
  Pipeline,
  PipelineDefaults,
  RecommendRequest,
  RecommendResponse,
  Reasoned,
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
export { inProcessReasons, treeSource } from './adapters/reasons';
export { methodResult } from './results';
export type { MethodResult } from './results';
export { runMainJob, runMainJobSeeds, VARIANTS } from './main-job/run';
export { aggregateSeeds, holm, withHolm, writeSeedTable } from './main-job/seeds';
export type { MainJobOptions } from './main-job/run';
export { MAIN_BUDGET, QUICK_BUDGET, KEY_COMPARISONS } from './main-job/stages';
export { runReasoning } from './main-job/reasoning';
export { likelihoodSelection } from './main-job/likelihood';
export { PREDICTIONS_FILE, writePredictions } from './main-job/predictions';
export type { ReasoningOptions, ReasoningResult } from './main-job/reasoning';
export { VARIANT_LABELS } from './main-job/phase-two';
export type { Variant } from './main-job/phase-two';
export {
  inProcessCandidates,
  inProcessCatalogue,
  inProcessSelection,
  inProcessScorer,
} from './adapters/in-process';
export { kafkaStageHandlers } from './adapters/kafka-stages';
export type { KafkaStageHandlers } from './adapters/kafka-stages';
export {
  replaceTestTargets,
  testPathInputs,
  inputDifferences,
  sampleCases,
} from './main-job/invariance';
export {
  invarianceCanary,
  invarianceCanaryStage,
  INVARIANCE_BUDGET,
  INVARIANCE_VARIANTS,
} from './main-job/canaries';
export type { InvarianceCanary, InvarianceCanaryOptions, CanariesBlock } from './main-job/canaries';
export type {
  PlantedLeak,
  TestPathOptions,
  TestPathInputs,
  InputDifference,
} from './main-job/invariance';
export { preflight, probeEndpoint } from './main-job/preflight';
export {
  SIBLINGS,
  SIBLINGS_MAIN_BUDGET,
  SIBLINGS_QUICK_BUDGET,
  parseSiblings,
  siblingsStage,
} from './main-job/siblings';
export type { Sibling, SiblingsResult } from './main-job/siblings';

/** The selection strategies' proto enum mapping, tot-selector's own (the gateway and Kafka stages speak it too). */
export { STRATEGY_FROM_PROTO, STRATEGY_TO_PROTO } from '@thoughtspace/tot-selector';
