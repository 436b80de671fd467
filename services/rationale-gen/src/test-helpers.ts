import { leaveOneOut, prepareDataset, type Dataset, type EvalCase } from '@thoughtspace/data';
import type { HistoryEntry } from './types';

/** A user's history as provider input, from a real dataset (ratings and reviews where the source has them). */
export function historyOf(ds: Dataset, c: EvalCase): HistoryEntry[] {
  return Array.from(c.history, (idx, i) => {
    const rating = ds.ratings?.[c.user][i];
    const review = ds.reviews?.[c.user][i];
    return {
      item: ds.items[idx],
      ...(rating !== undefined && !Number.isNaN(rating) ? { rating } : {}),
      ...(review ? { review } : {}),
    };
  });
}

/** Test cases of a bundled dataset (leave-one-out test split). */
export async function loadCases(name: string): Promise<{ dataset: Dataset; cases: EvalCase[] }> {
  const { dataset } = await prepareDataset({ dataset: name });
  return { dataset, cases: leaveOneOut(dataset).test };
}
