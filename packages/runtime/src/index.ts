export { Status } from './status';
export {
  ThoughtspaceError,
  InvalidArgumentError,
  NotFoundError,
  FailedPreconditionError,
  DataLossError,
  describeError,
} from './errors';
export type { ErrorOptions } from './errors';
export { createProgress, formatDuration } from './progress';
export type { Progress, ProgressOptions } from './progress';
export { createRng, seedWords } from './rng';
export type { Rng } from './rng';
export { dot, cosine } from './vector';
export { createRecentCache, createRecentRuns } from './recent';
export type { RecentCache, RecentRuns } from './recent';
export { openModelDir, hashFiles, sha256Hex, MANIFEST_FILE } from './model-dir';
export type { ModelManifestBase } from './model-dir';
