export { expandTree, leavesOf, validateBranching, DEFAULT_BRANCHING } from './tree';
export type { ThoughtNode, Refine, Directions, ExpandOptions } from './tree';
export { selectReason, STRATEGIES } from './select';
export type { Strategy, AgreementFn, SelectOptions, Selection } from './select';
export { loadGenericSpace } from './generic-space';
export {
  likelihoodAgreement,
  likelihoodPrompt,
  recentTail,
  LIKELIHOOD_DEFAULTS,
} from './likelihood';
export type { ContinuationScorer, LikelihoodOptions } from './likelihood';
export type { GenericSpace } from './generic-space';
export { createSelectorDomain, DEFAULT_SELECTOR } from './domain/selector';
export type {
  SelectorDomain,
  SelectorDefaults,
  TreeWriter,
  ThoughtSpaceAgreement,
  HistoryRef,
  ReasonEmbedding,
  CallBudget,
} from './domain/selector';
export { grpcTreeWriter, grpcAgreement } from './clients';
export { loadAgreement } from './thought-space';
export {
  createServer,
  SERVICE_NAME,
  STRATEGY_FROM_PROTO,
  STRATEGY_TO_PROTO,
  fromProtoNodes,
} from './server';
export type { TotSelectorDeps } from './server';
export { loadConfig, TOT_SELECTOR_CONFIG } from './config';
export type { TotSelectorConfig } from './config';
export { runTotSelector } from './main';
export { buildTrees, selectAll, thoughtSpaceAgreement } from './cases';
export type { CaseReasons, TreeReasonSource } from './cases';
