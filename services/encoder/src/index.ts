export { Tokenizer, words, PAD, UNK, PAD_TOKEN, UNK_TOKEN } from './tokenizer';
export type { Encoded, Truncation, VocabularyOptions } from './tokenizer';
export { DEFAULT_CONFIG, TRUNCATION, validateConfig } from './thought-space/config';
export type { ThoughtSpaceConfig } from './thought-space/config';
export { buildThoughtSpace, inputNames } from './thought-space/graph';
export type { ThoughtSpaceGraph, TowerEndpoints, TowerName } from './thought-space/graph';
export { readWordVectors, wordVectorInit } from './thought-space/word-vectors';
export type { WordVectors } from './thought-space/word-vectors';
export { encodeTexts, towerFeeds } from './thought-space/encode';
export type { TextEncoders } from './thought-space/encode';
export { ThoughtSpace, trainThoughtSpace, splitByUser } from './thought-space/train';
export type { ThoughtPair, TrainSummary, EpochPoint } from './thought-space/train';
export { evaluateRecall, sampleNegatives } from './thought-space/evaluate';
export { MemoSpace } from './thought-space/memo';
export { positiveRationalePairs, runPhaseOne } from './thought-space/phase-one';
export type { PhaseOneResult } from './thought-space/phase-one';
export type { RecallResult } from './thought-space/evaluate';
export { buildPairs, renderBehaviour, renderItemRationale } from './experiment/pairs';
export type { PairOptions } from './experiment/pairs';
export { pca } from './thought-space/pca';
export { projectionSample, projectionSvg } from './thought-space/projection';
export type { ProjectionSample } from './thought-space/projection';
export { saveThoughtSpace, loadThoughtSpaceFiles, MODEL_FORMAT } from './thought-space/artifact';
export type {
  EncoderManifest,
  CatalogueEntry,
  SaveMeta,
  LoadedEncoder,
} from './thought-space/artifact';
export { ThoughtSpaceModel } from './serving/thought-space-model';
export { runEncoderExperiment } from './experiment/run';
export type { EncoderExperimentOptions, EncoderExperimentResult } from './experiment/run';
export { createEncoderDomain, DEFAULT_LIMITS } from './domain/encoder';
export type { EncoderDomain, BehaviourIds, Limits } from './domain/encoder';
export { createServer, SERVICE_NAME } from './server';
export type { EncoderDeps } from './server';
export { loadConfig, ENCODER_CONFIG } from './config';
export type { EncoderConfig } from './config';
export { runEncoder } from './main';
