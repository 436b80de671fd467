export { createStageProcess } from './worker';
export type { StageProcess, StageProcessOptions } from './worker';
export { STAGES, STAGE_NAMES } from './stages';
export type { StageName, StageSpec } from './stages';
export { loadConfig, STAGE_WORKER_CONFIG } from './config';
export type { StageWorkerConfig } from './config';
export { createWorkerPorts } from './ports';
export type { WorkerPorts } from './ports';
export { runStageWorker } from './main';
