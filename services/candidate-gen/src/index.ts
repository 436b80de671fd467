export { PAPER_CONFIG, validateConfig } from './sasrec/config';
export type { SasrecConfig } from './sasrec/config';
export { buildSasrec, buildSasrecWindow } from './sasrec/graph';
export type { SasrecGraph } from './sasrec/graph';
export { encodeHistories, encodeCandidates, epochBatches, batchesPerEpoch } from './sasrec/batches';
export { userEmbeddings, dotScores, itemRows } from './sasrec/embeddings';
export { trainSasrec, evaluateSasrec, trainerUserEmbeddings } from './sasrec/train';
export type { TrainedSasrec, CurvePoint, TrainOptions } from './sasrec/train';
export { saveSasrec, loadSasrec, writeLearningCurve, MODEL_FORMAT } from './sasrec/artifact';
export type { SasrecManifest, LoadedSasrec } from './sasrec/artifact';
export { SasrecModel } from './serving/sasrec-model';
export type { SasrecLoadOptions } from './serving/sasrec-model';
export { windowLengths, WINDOW_TOLERANCE } from './serving/windows';
export type { ScoredItem } from './serving/sasrec-model';
export { createCandidateDomain, DEFAULT_LIMITS, MODEL_VARIANTS } from './domain/candidates';
export { nearestUsers, recentItems, itemsOfSimilarUsers } from './similar/similar-users';
export type { Neighbour } from './similar/similar-users';
export { trainedSasrecIndex } from './similar/sasrec-index';
export type { SasrecIndex } from './similar/sasrec-index';
export type { CandidateDomain, Limits, ScoredId } from './domain/candidates';
export { createServer, SERVICE_NAME } from './server';
export type { CandidateGenDeps } from './server';
export { loadConfig, CANDIDATE_GEN_CONFIG, SEQUENCE_WINDOWS_CONFIG } from './config';
export type { CandidateGenConfig } from './config';
export { runCandidateGen } from './main';
export { DEFAULT_REAEMB, validateReaEmbConfig } from './reaemb/config';
export type { ReaEmbConfig } from './reaemb/config';
export { buildReaEmbInference } from './reaemb/graph';
export { trainReaEmb, tokenizeItems } from './reaemb/train';
export type { ReaEmbResult, ReaEmbStage, TrainReaEmbOptions } from './reaemb/train';
export { coOccurrence, crrlGroups, crrlReward, groupAdvantages } from './reaemb/crrl';
export { itemEmbeddingInit } from './reaemb/adapter';
export { pca } from './reaemb/pca';
export { DEFAULT_CODERREC, validateCoderRecConfig } from './coderrec/config';
export type { CoderRecConfig } from './coderrec/config';
export { DEFAULT_RQVAE, validateRqVaeConfig, trainRqVae } from './coderrec/rqvae';
export type { RqVae, RqVaeConfig } from './coderrec/rqvae';
export { readGlove, averagedWordVectors, vectorsFromEmbeddings } from './coderrec/item-vectors';
export type { ItemVectors } from './coderrec/item-vectors';
export { buildCoderRec } from './coderrec/graph';
export type { CoderRecGraph, CoderRecItems } from './coderrec/graph';
export {
  trainCoderRec,
  evaluateCoderRec,
  coderrecUserEmbeddings,
  disposeCoderRec,
} from './coderrec/train';
export type { TrainedCoderRec, CoderRecPhase, TrainCoderRecOptions } from './coderrec/train';
export { saveCoderRec } from './coderrec/artifact';
export { saveReaEmb } from './reaemb/artifact';
export { gloveCandidates } from './coderrec/item-vectors';
export { DEFAULT_GRU4REC, validateGru4recConfig } from './gru4rec/config';
export type { Gru4recConfig } from './gru4rec/config';
export { buildGru4rec } from './gru4rec/graph';
export { trainGru4rec } from './gru4rec/train';
export type { TrainedGru4rec, TrainGru4recOptions } from './gru4rec/train';
export { saveGru4rec } from './gru4rec/artifact';
export type { SequentialConfig } from './sasrec/config';
export type { TrainedSequential } from './sasrec/train';
