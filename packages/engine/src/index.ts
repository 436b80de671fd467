import './internal/ops';

export { Graph, Tensor } from './internal/graph';
export type { ParameterOptions } from './internal/graph';
export type { DType, TypedData } from './internal/dtype';
export type { Dim, Shape } from './internal/shape';
export { gradients } from './internal/autodiff';
export { emitModel, OPSET } from './internal/model';
export type { EmitOptions, EmittedModel, GraphInput } from './internal/model';
export * from './ops';
export {
  linear,
  gelu,
  softplus,
  layerNorm,
  l2Normalize,
  cosineSimilarity,
  oneHot,
  crossEntropyWithLogits,
  bceWithLogits,
  infoNce,
  attention,
  multiHeadAttention,
  dropout,
} from './nn';
export type { AttentionOptions } from './nn';
export {
  Rng,
  hashSeed,
  fillDropoutMask,
  zeros,
  constantInit,
  normal,
  truncatedNormal,
  xavier,
} from './init';
export type { Initializer } from './init';
export { sgd, adam, adamW, clipByGlobalNorm, globalNorm, warmupCosine } from './optim';
export type {
  Optimizer,
  UpdateContext,
  SgdOptions,
  AdamOptions,
  WarmupCosineOptions,
} from './optim';
export { Trainer } from './trainer';
export type { TrainerOptions, StepResult, FitOptions, TrainerState } from './trainer';
export {
  saveCheckpoint,
  loadCheckpoint,
  encodeSafetensors,
  decodeSafetensors,
  readSafetensors,
  writeSafetensors,
  CHECKPOINT_FORMAT,
} from './checkpoint';
export type { CheckpointInfo, NamedTensor, SafetensorsFile } from './checkpoint';
export { exportInference, verifyExport } from './export';
export type { ExportOptions, VerifyExportOptions } from './export';
export { ModelRunner, setProcessThreads, processThreadCount } from './runner';
export type {
  TensorValue,
  Feeds,
  ExecutionProvider,
  ModelRunnerOptions,
  RunOptions,
} from './runner';
export { createTopK } from './topk';
export type {
  TopK,
  TopKOptions,
  TopKMetric,
  TopKRequest,
  TopKResult,
  RankRequest,
  Exclusions,
} from './topk';
