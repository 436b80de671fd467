import type { Dataset, Item, LeaveOneOut } from '@thoughtspace/data';
import type { ThoughtPair } from '../thought-space/train';

export interface PairOptions {
  /** `last`: one pair per user (training prefix -> its last item); `all`: one per position. */
  positions?: 'last' | 'all';
  /** Most recent items rendered into a behaviour (default 20). */
  maxHistoryItems?: number;
  /** Characters of an item description in a rationale (default 400). */
  maxDescriptionChars?: number;
}

/** Behaviour text (E2's input): the titles of the history, oldest first, most recent last. */
export function renderBehaviour(items: readonly Item[], maxItems = 20): string {
  return items
    .slice(-maxItems)
    .map((it) => it.title ?? '')
    .filter((t) => t.length > 0)
    .join(' ; ');
}

/**
 * Stand-in for a positive rationale (E1's input) until rationale-gen supplies
 * them: the next item's title and the start of its description.
 */
export function renderItemRationale(item: Item, maxDescriptionChars = 400): string {
  const parts = [item.title ?? '', (item.description ?? '').slice(0, maxDescriptionChars)];
  return parts.filter((p) => p.length > 0).join('. ');
}

/**
 * Pairs from a dataset's training prefixes only (validation and test items
 * never appear): behaviour = titles of the items before a training item,
 * rationale = text of that training item. Users whose prefix has fewer than
 * two items, and pairs with an empty text, give no pair.
 */
export function buildPairs(
  dataset: Dataset,
  loo: LeaveOneOut,
  options: PairOptions = {},
): ThoughtPair[] {
  const maxItems = options.maxHistoryItems ?? 20;
  const maxDesc = options.maxDescriptionChars ?? 400;
  const pairs: ThoughtPair[] = [];
  loo.train.forEach((seq, user) => {
    const first = options.positions === 'all' ? 1 : seq.length - 1;
    for (let t = Math.max(1, first); t < seq.length; t++) {
      const history = Array.from(seq.subarray(0, t), (i) => dataset.items[i]);
      const behaviour = renderBehaviour(history, maxItems);
      const rationale = renderItemRationale(dataset.items[seq[t]], maxDesc);
      if (behaviour && rationale) pairs.push({ behaviour, rationale, user: dataset.userIds[user] });
    }
  });
  return pairs;
}
