export { SplitEvaluation, resolvePredictionsPath, addPredictionsFile } from './domain/evaluate';
export type { Targets, RawPrediction, EvaluateOptions, Evaluation } from './domain/evaluate';
export { createMemoryMetricsStore } from './domain/store';
export type { MetricsStore, MetricsSnapshot } from './domain/store';
export { createServer, SERVICE_NAME, DEFAULT_EVALUATOR_LIMITS } from './server';
export type { EvaluatorDeps, EvaluatorLimits } from './server';
export { loadConfig, EVALUATOR_CONFIG } from './config';
export type { EvaluatorConfig } from './config';
export { runEvaluator, loadTargets } from './main';
