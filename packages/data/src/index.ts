export type {
  Item,
  Interaction,
  MalformedLine,
  SourceFile,
  ReadReport,
  RawDataset,
  ReadOptions,
} from './types';
export { DEFAULT_PREPROCESS, countDataset } from './dataset';
export type { Dataset, PreprocessOptions, PreprocessReport, StageCounts } from './dataset';
export { preprocess, validatePreprocessOptions } from './preprocess';
export { leaveOneOut, sequencesBefore, MIN_EVAL_LENGTH } from './split';
export type { LeaveOneOut, EvalCase, SplitName } from './split';
export { parseProtocol, formatProtocol, sampleCandidates, DEFAULT_PROTOCOL } from './sampling';
export type { Protocol, SampleRequest, CandidateSet } from './sampling';
export { buildEvaluationSet } from './candidates';
export { permuteLabels } from './canary';
export type { EvaluationSet } from './candidates';
export { DATASET_FORMAT, contentDigest, manifestHash, shortHash } from './manifest';
export type { Manifest, StoredFile } from './manifest';
export { createDatasetWriter, writeDataset, readDataset, readManifest, STORE_FILES } from './store';
export type { DatasetWriter } from './store';
export { PRESETS, findPreset, dataRoots, cacheDir, resolvePresetDir } from './presets';
export type { Preset } from './presets';
export { prepareDataset, TOOL } from './prepare';
export type { PrepareRequest, Prepared } from './prepare';
export { download, resolveDownload, amazon2018Source, MOVIELENS_SOURCES } from './download';
export type { DownloadSource } from './download';
export { unzip } from './unzip';
export type { ZipEntry } from './unzip';
export * from './readers';
export { ReadContext } from './readers/context';
export type { DataLineHandler, EachLineOptions } from './readers/context';
export { sampleUsers } from './subsample';
export type { UserSample } from './subsample';
