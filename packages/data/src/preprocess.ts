import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { Dataset, PreprocessOptions, PreprocessReport, StageCounts } from './dataset';
import { DEFAULT_PREPROCESS } from './dataset';
import type { Interaction, Item, RawDataset } from './types';

/** One user's events during preprocessing, as indices into the raw interaction list. */
type Events = number[];

export function validatePreprocessOptions(options: Partial<PreprocessOptions>): PreprocessOptions {
  const o: PreprocessOptions = { ...DEFAULT_PREPROCESS, ...options };
  if (!Number.isInteger(o.kcore) || o.kcore < 0) {
    throw new InvalidArgumentError(`kcore must be a non-negative integer, got ${String(o.kcore)}`);
  }
  if (o.passes !== 'iterative' && o.passes !== 'single') {
    throw new InvalidArgumentError(
      `passes must be "iterative" or "single", got ${String(o.passes)}`,
    );
  }
  if (!Number.isInteger(o.minSeqLen) || o.minSeqLen < 0) {
    throw new InvalidArgumentError(
      `minSeqLen must be a non-negative integer, got ${String(o.minSeqLen)}`,
    );
  }
  if (o.order !== 'timestamp' && o.order !== 'file') {
    throw new InvalidArgumentError(`order must be "timestamp" or "file", got ${String(o.order)}`);
  }
  return o;
}

/**
 * Turn a reader's output into a Dataset: group by user, order chronologically
 * (stable, so file order breaks timestamp ties), de-duplicate (user, item)
 * keeping the first, k-core, minimum sequence length, dense re-indexing.
 */
export function preprocess(
  raw: RawDataset,
  options: Partial<PreprocessOptions> = {},
): { dataset: Dataset; report: PreprocessReport } {
  const o = validatePreprocessOptions(options);
  const events = raw.interactions;
  const byUser = groupByUser(events);
  const read = countStage(byUser, events);

  const useTimestamps =
    o.order === 'timestamp' && events.length > 0 && events.every((e) => e.timestamp !== undefined);
  if (useTimestamps) {
    for (const seq of byUser.values())
      seq.sort(
        (a, b) => (events[a].timestamp as number) - (events[b].timestamp as number) || a - b,
      );
  }

  let duplicatesDropped = 0;
  for (const [user, seq] of byUser) {
    const seen = new Set<string>();
    const kept = seq.filter((i) => {
      const item = events[i].item;
      if (seen.has(item)) return false;
      seen.add(item);
      return true;
    });
    duplicatesDropped += seq.length - kept.length;
    byUser.set(user, kept);
  }
  const deduplicated = countStage(byUser, events);

  const kcorePassesRun = applyKCore(byUser, events, o);
  const kcore = countStage(byUser, events);

  for (const [user, seq] of byUser) if (seq.length < o.minSeqLen) byUser.delete(user);
  const dataset = buildDataset(byUser, events, raw.items);
  const final = countStage(byUser, events);
  if (final.interactions === 0) {
    throw new InvalidArgumentError(
      `the dataset is empty after filtering (read ${read.interactions} interactions; kcore=${o.kcore} ${o.passes}, minSeqLen=${o.minSeqLen}); lower --kcore or --min-seq-len`,
    );
  }
  const itemsWithoutText = dataset.items.filter((it) => !it.title && !it.description).length;
  return {
    dataset,
    report: {
      read,
      deduplicated,
      duplicatesDropped,
      kcore,
      kcorePassesRun,
      final,
      orderedBy: useTimestamps ? 'timestamp' : 'file',
      itemsWithoutText,
    },
  };
}

function groupByUser(events: Interaction[]): Map<string, Events> {
  const byUser = new Map<string, Events>();
  for (let i = 0; i < events.length; i++) {
    const u = events[i].user;
    const seq = byUser.get(u);
    if (seq) seq.push(i);
    else byUser.set(u, [i]);
  }
  return byUser;
}

function countStage(byUser: Map<string, Events>, events: Interaction[]): StageCounts {
  const items = new Set<string>();
  let interactions = 0;
  for (const seq of byUser.values()) {
    interactions += seq.length;
    for (const i of seq) items.add(events[i].item);
  }
  return { users: byUser.size, items: items.size, interactions };
}

/** Returns the number of passes run (0 when k <= 1, where the filter cannot remove anything). */
function applyKCore(
  byUser: Map<string, Events>,
  events: Interaction[],
  o: PreprocessOptions,
): number {
  if (o.kcore <= 1) return 0;
  let passes = 0;
  for (;;) {
    passes++;
    const itemCount = new Map<string, number>();
    for (const seq of byUser.values())
      for (const i of seq) itemCount.set(events[i].item, (itemCount.get(events[i].item) ?? 0) + 1);
    let changed = false;
    for (const [user, seq] of byUser) {
      if (seq.length < o.kcore) {
        byUser.delete(user);
        changed = true;
        continue;
      }
      const kept = seq.filter((i) => (itemCount.get(events[i].item) as number) >= o.kcore);
      if (kept.length !== seq.length) {
        changed = true;
        if (o.passes === 'iterative' && kept.length === 0) byUser.delete(user);
        else byUser.set(user, kept);
      }
    }
    if (o.passes === 'single' || !changed) break;
  }
  if (o.passes === 'single')
    for (const [user, seq] of byUser) if (seq.length === 0) byUser.delete(user);
  return passes;
}

function buildDataset(
  byUser: Map<string, Events>,
  events: Interaction[],
  rawItems: Item[],
): Dataset {
  const meta = new Map<string, Item>();
  for (const it of rawItems) if (!meta.has(it.id)) meta.set(it.id, it);

  const userIds: string[] = [];
  const itemIndex = new Map<string, number>();
  const itemIds: string[] = [];
  const sequences: Int32Array[] = [];
  const has = { ts: false, rating: false, review: false, summary: false };
  for (const e of events) {
    if (e.timestamp !== undefined) has.ts = true;
    if (e.rating !== undefined) has.rating = true;
    if (e.review !== undefined) has.review = true;
    if (e.summary !== undefined) has.summary = true;
  }
  const timestamps: Float64Array[] = [];
  const ratings: Float32Array[] = [];
  const reviews: (string | null)[][] = [];
  const summaries: (string | null)[][] = [];

  for (const [user, seq] of byUser) {
    userIds.push(user);
    const s = new Int32Array(seq.length);
    seq.forEach((ev, j) => {
      const id = events[ev].item;
      let idx = itemIndex.get(id);
      if (idx === undefined) {
        idx = itemIds.length;
        itemIndex.set(id, idx);
        itemIds.push(id);
      }
      s[j] = idx;
    });
    sequences.push(s);
    if (has.ts) timestamps.push(Float64Array.from(seq, (ev) => events[ev].timestamp ?? NaN));
    if (has.rating) ratings.push(Float32Array.from(seq, (ev) => events[ev].rating ?? NaN));
    if (has.review) reviews.push(seq.map((ev) => events[ev].review ?? null));
    if (has.summary) summaries.push(seq.map((ev) => events[ev].summary ?? null));
  }
  const items = itemIds.map((id) => meta.get(id) ?? { id });
  return {
    userIds,
    itemIds,
    items,
    sequences,
    ...(has.ts ? { timestamps } : {}),
    ...(has.rating ? { ratings } : {}),
    ...(has.review ? { reviews } : {}),
    ...(has.summary ? { summaries } : {}),
  };
}
