import type { Dataset, Item } from '@thoughtspace/data';
import { itemText } from './item';
import { sanitizeUntrusted } from './sanitize';

/** One past interaction as text renderers see it. */
export interface HistoryEntry {
  item: Item;
  /** Explicit rating (1-5 stars on Amazon), when known. */
  rating?: number;
  /** Review body, untrusted. */
  review?: string;
}

export interface Behaviour {
  /** Chronological, oldest first. */
  history: HistoryEntry[];
  /** The item being explained or scored; rendered on a last `candidate:` line. */
  candidate?: Item;
}

export interface BehaviourOptions {
  /** Most recent items kept (default 20). */
  maxItems?: number;
  /** Upper bound per line, item text + rating + review (default 200). */
  maxCharsPerItem?: number;
}

/**
 * The behaviour text encoder E2 reads: the most recent `maxItems` items,
 * oldest first, one line each (`- <item text> | rated 5 | review: <text>`),
 * then an optional `candidate: <item text>` line. Review text takes at most
 * 40% of a line. Deterministic: the same input gives the same bytes.
 */
export function renderBehaviour(behaviour: Behaviour, options: BehaviourOptions = {}): string {
  const maxItems = options.maxItems ?? 20;
  const maxChars = options.maxCharsPerItem ?? 200;
  if (!Number.isInteger(maxItems) || maxItems < 0) {
    throw new RangeError(`maxItems must be a non-negative integer, got ${String(maxItems)}`);
  }
  if (!Number.isInteger(maxChars) || maxChars < 32) {
    throw new RangeError(`maxCharsPerItem must be an integer >= 32, got ${String(maxChars)}`);
  }
  const recent = maxItems === 0 ? [] : behaviour.history.slice(-maxItems);
  const lines = recent.map((entry) => `- ${historyLine(entry, maxChars - 2)}`);
  if (behaviour.candidate) {
    lines.push(`candidate: ${itemText(behaviour.candidate, { maxChars: maxChars - 11 })}`);
  }
  return lines.join('\n');
}

/** One history entry as a single bounded line (no leading marker). */
export function historyLine(entry: HistoryEntry, maxChars: number): string {
  const rating =
    entry.rating !== undefined && Number.isFinite(entry.rating)
      ? ` | rated ${formatRating(entry.rating)}`
      : '';
  const review = entry.review?.trim()
    ? sanitizeUntrusted(entry.review, { maxChars: Math.max(8, Math.floor(maxChars * 0.4)) })
    : '';
  const reviewPart = review ? ` | review: ${review}` : '';
  const itemRoom = Math.max(16, maxChars - rating.length - reviewPart.length);
  return `${itemText(entry.item, { maxChars: itemRoom })}${rating}${reviewPart}`;
}

function formatRating(r: number): string {
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/**
 * A user's history (item indices) as entries with their side information
 * (ratings, reviews) where the dataset has them; `user` is the dataset's
 * user index and `history` a prefix of that user's sequence.
 */
export function historyEntries(ds: Dataset, user: number, history: Int32Array): HistoryEntry[] {
  return Array.from(history, (item, j) => {
    const e: HistoryEntry = { item: ds.items[item] };
    const rating = ds.ratings?.[user]?.[j];
    if (rating !== undefined && !Number.isNaN(rating)) e.rating = rating;
    const review = ds.reviews?.[user]?.[j];
    if (review) e.review = review;
    return e;
  });
}

/**
 * The Thought Space's behaviour text (E2's input) as the method uses it
 * everywhere: the 20 most recent items, plus one candidate when scoring
 * candidates alike (never the evaluated target alone).
 */
export function renderBehaviourText(history: HistoryEntry[], candidate?: Item): string {
  return renderBehaviour({ history, candidate }, { maxItems: 20 });
}
