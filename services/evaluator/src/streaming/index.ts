export { createStreamingEvaluator } from './evaluator';
export type { StreamingEvaluator, StreamingEvaluatorOptions, StreamingSnapshot } from './evaluator';
export { JoinState } from './state';
export type { Half, JoinSnapshot, JoinStateOptions, JoinResult, StreamCounts } from './state';
export { readCheckpoint, writeCheckpoint, CHECKPOINT_FORMAT } from './checkpoint';
export type { Checkpoint, Offsets } from './checkpoint';
export { loadStreamingConfig } from './config';
export type { StreamingConfig } from './config';
export { runStreamingEvaluator } from './main';
