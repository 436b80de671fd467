import type { Item } from './types';

/** Options that shape a processed dataset; recorded verbatim in its manifest. */
export interface PreprocessOptions {
  /** Minimum interactions per user and per item; 0 disables the filter. */
  kcore: number;
  /** `iterative` repeats the filter until nothing changes; `single` applies it once to the input counts. */
  passes: 'iterative' | 'single';
  /** Drop users with fewer interactions than this after k-core (0 keeps everyone). */
  minSeqLen: number;
  /** Order within a user: by timestamp when every event has one, else file order. */
  order: 'timestamp' | 'file';
}

export const DEFAULT_PREPROCESS: PreprocessOptions = {
  kcore: 5,
  passes: 'iterative',
  minSeqLen: 0,
  order: 'timestamp',
};

/** Counts at each preprocessing stage, for the manifest and the CLI report. */
export interface StageCounts {
  users: number;
  items: number;
  interactions: number;
}

export interface PreprocessReport {
  read: StageCounts;
  deduplicated: StageCounts;
  /** Duplicate (user, item) events dropped (the first is kept). */
  duplicatesDropped: number;
  kcore: StageCounts;
  kcorePassesRun: number;
  final: StageCounts;
  /** Whether chronological order came from timestamps or file order. */
  orderedBy: 'timestamp' | 'file';
  /** Items in the final dataset without any text (no title and no description). */
  itemsWithoutText: number;
}

/**
 * A processed dataset: dense indices, one chronological sequence per user, and
 * optional per-event side information aligned with the sequences.
 */
export interface Dataset {
  /** Index -> original user id. */
  userIds: string[];
  /** Index -> original item id. */
  itemIds: string[];
  /** Item metadata aligned with itemIds (an item without text has only its id). */
  items: Item[];
  /** Per user, item indices in chronological order. */
  sequences: Int32Array[];
  /** Per user, unix seconds per event (NaN where unknown); absent when the source has none. */
  timestamps?: Float64Array[];
  /** Per user, rating per event (NaN where unknown); absent when the source has none. */
  ratings?: Float32Array[];
  /** Per user, review text per event (null where none); absent when the source has none. */
  reviews?: (string | null)[][];
  /** Per user, review summary per event; absent when the source has none. */
  summaries?: (string | null)[][];
}

export function countDataset(ds: Dataset): StageCounts {
  let interactions = 0;
  for (const s of ds.sequences) interactions += s.length;
  return { users: ds.userIds.length, items: ds.itemIds.length, interactions };
}
