export { runAgent, describePlan } from './agent';
export type { AgentOptions, AgentOutcome } from './agent';
export { loadConfig, ConfigError, DEFAULT_DEPLOYMENTS, AGENT_CONFIG } from './config';
export type { AgentConfig } from './config';
export {
  DEFAULT_STAGES,
  topologicalOrder,
  stageJob,
  jobName,
  jobOutcome,
  runSelector,
  LABELS,
  DagError,
} from './dag';
export type { Stage, JobContext } from './dag';
export { grpcEvaluator, fromCompareResponse, liveFromMetrics } from './evaluator';
export type {
  EvaluatorPort,
  GrpcEvaluatorOptions,
  LiveValue,
  VersionComparison,
} from './evaluator';
export { watchLive } from './live';
export type { LiveRule, LiveVerdict } from './live';
export { createKubeApi } from './kube';
export { decide, rollTo, rolloutState, currentVersions, VERSION_ANNOTATION } from './promote';
export type { Decision, PromotionRule } from './promote';
export { runDag } from './runner';
export type { DagResult, StageState } from './runner';
export { StatusRecorder } from './status';
export { JobTracker } from './watch';
export type { KubeApi, Job, Deployment, ConfigMap, WatchEvent } from './types';
export { KubeError } from './types';
