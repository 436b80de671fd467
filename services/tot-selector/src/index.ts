export { expandTree, leavesOf, validateBranching, DEFAULT_BRANCHING } from './tree';
export type { ThoughtNode, Refine, Directions, ExpandOptions } from './tree';
export { selectReason, STRATEGIES } from './select';
export type { Strategy, AgreementFn, SelectOptions, Selection } from './select';
export { loadGenericSpace } from './generic-space';
export type { GenericSpace } from './generic-space';
export { buildTrees, selectAll, thoughtSpaceAgreement } from './cases';
export type { CaseReasons, TreeReasonSource } from './cases';
