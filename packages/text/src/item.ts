import type { Item } from '@thoughtspace/data';
import { sanitizeUntrusted, truncateWords } from './sanitize';

export interface ItemTextOptions {
  /** Upper bound on the rendering's length (default 300). */
  maxChars?: number;
}

/** Whether an item has any text beyond its id (title, description, brand or categories). */
export function hasText(item: Item): boolean {
  return Boolean(item.title || item.description || item.brand || item.categories?.length);
}

/** Price as `$12.50` (Amazon prices are US dollars); undefined when absent or not finite. */
export function formatPrice(price: number | undefined): string | undefined {
  return price !== undefined && Number.isFinite(price) && price >= 0
    ? `$${price.toFixed(2)}`
    : undefined;
}

/**
 * One line describing an item: `title | brand | category > path | $price |
 * description`, absent parts skipped, every part sanitised, the description
 * taking whatever room is left, the whole bounded by `maxChars`. An item
 * without text renders as `item <id>` (callers count those).
 */
export function itemText(item: Item, options: ItemTextOptions = {}): string {
  const maxChars = options.maxChars ?? 300;
  const clean = (s: string | undefined, max = maxChars) =>
    s ? sanitizeUntrusted(s, { maxChars: max }) : '';
  if (!hasText(item)) return truncateWords(`item ${clean(item.id) || '?'}`, maxChars);
  const head = [
    clean(item.title),
    clean(item.brand),
    clean(item.categories?.map((c) => c.trim()).join(' > ')),
    formatPrice(item.price) ?? '',
  ].filter((p) => p.length > 0);
  let line = head.join(' | ');
  const room = maxChars - line.length - 3;
  if (item.description && room >= 16) {
    const description = clean(item.description, room);
    if (description) line = line ? `${line} | ${description}` : description;
  }
  return truncateWords(line, maxChars);
}

/** A short label for an item in a sentence: its title (or `item <id>`), bounded. */
export function itemLabel(item: Item, maxChars = 60): string {
  return item.title
    ? sanitizeUntrusted(item.title, { maxChars })
    : truncateWords(`item ${sanitizeUntrusted(item.id, { maxChars })}`, maxChars);
}
