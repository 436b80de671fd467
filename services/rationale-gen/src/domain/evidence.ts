import type { Item } from '@thoughtspace/data';
import { itemLabel, sanitizeUntrusted, STOPWORDS, tokenize } from '@thoughtspace/text';
import type { HistoryEntry } from '../types';
import {
  ASPECTS,
  FEATURES,
  NEGATIVE,
  NEGATORS,
  POSITIVE,
  PRODUCT_TYPES,
  singular,
  UNITS,
  USES,
} from './lexicon';

/** A pattern in the history and the items that show it. */
export interface Signal {
  /** What it is, as it appears in a reason: `Crabtree & Evelyn`, `hand cream`, `shea`. */
  label: string;
  /** Distinct history items showing it. */
  items: Item[];
  /** Where it came from, for evidence strings: `brand`, `brand (from titles)`, `category`, ... */
  source: string;
}

/** An opinion about an aspect in review text. */
export interface Opinion {
  aspect: string;
  polarity: 'positive' | 'negative';
  word: string;
  item: Item;
  /** A short sanitised excerpt of the review around the aspect. */
  quote: string;
}

export interface PriceProfile {
  median: number;
  min: Item;
  max: Item;
  band: 'budget' | 'mid-range' | 'premium';
  items: Item[];
}

/** Everything the composer can cite about one history. */
export interface Profile {
  size: number;
  brands: Signal[];
  types: Signal[];
  features: Signal[];
  uses: Signal[];
  terms: Signal[];
  price?: PriceProfile;
  opinions: Opinion[];
  /** Mean rating and the items rated highest/lowest, when ratings exist. */
  ratings?: { mean: number; count: number; top: HistoryEntry[]; low: HistoryEntry[] };
  /** The last three entries, oldest first. */
  recent: HistoryEntry[];
  /** Items rendered as `item <id>` because they have no text. */
  itemsWithoutText: number;
}

const MAX_ITEMS_READ = 200;

/**
 * Mine the patterns a reason can rest on from a history: brands (the item's
 * brand or, when absent, a title prefix repeated across items), product types
 * and categories, ingredients/features, uses, frequent title terms, price
 * band, and aspect-opinion pairs from review text. Reads the most recent
 * MAX_ITEMS_READ entries. Deterministic: ties break by first appearance.
 */
export function mineProfile(history: HistoryEntry[]): Profile {
  const entries = history.slice(-MAX_ITEMS_READ);
  const unique = dedupeItems(entries.map((e) => e.item));
  const titleTokens = new Map(unique.map((it) => [it, contentTokens(it.title ?? '')]));
  const brands = mineBrands(unique);
  const brandWords = new Set(brands.flatMap((b) => tokenize(b.label)));
  const entryOf = new Map(entries.map((e) => [e.item, e]));
  // The item's text and its entry's review, as content tokens: features and uses both read them.
  const textTokens = new Map(
    unique.map((it) => {
      const review = entryOf.get(it)?.review;
      const own = itemTextTokens(it);
      return [it, review ? [...own, ...contentTokens(review)] : own];
    }),
  );

  const types = mineCategories(unique);
  if (types.length === 0) {
    types.push(
      ...countSignals(
        unique,
        (it) => lexiconHits(titleTokens.get(it)!, PRODUCT_TYPES),
        'product type',
        1,
      ),
    );
  }
  const features = countSignals(
    unique,
    (it) => lexiconHits(textTokens.get(it)!, FEATURES),
    'feature',
    1,
  );
  const uses = countSignals(unique, (it) => lexiconHits(textTokens.get(it)!, USES), 'use', 1);
  const terms = countSignals(
    unique,
    (it) => titleTokens.get(it)!.filter((t) => !brandWords.has(t)),
    'title term',
    2,
  );
  return {
    size: entries.length,
    brands,
    types,
    features,
    uses,
    terms,
    price: minePrice(unique),
    opinions: entries.flatMap(mineOpinions),
    ratings: mineRatings(entries),
    recent: entries.slice(-3),
    itemsWithoutText: unique.filter((it) => !it.title && !it.description).length,
  };
}

/** Content tokens of free text: lowercase, no stopwords, units or bare numbers, length >= 3. */
export function contentTokens(text: string): string[] {
  return tokenize(text).filter(
    (t) => t.length >= 3 && !STOPWORDS.has(t) && !UNITS.has(t) && !/^\d/.test(t),
  );
}

/**
 * `fn` remembered per catalogue item, by identity: items are never changed
 * once loaded, and the same items recur in every history and neighbour list
 * that holds them, so their text is read once per process, not per reason.
 */
export function perItem<T>(fn: (item: Item) => T): (item: Item) => T {
  const memo = new WeakMap<Item, T>();
  return (item) => {
    if (memo.has(item)) return memo.get(item)!;
    const value = fn(item);
    memo.set(item, value);
    return value;
  };
}

/** Content tokens of an item's title, description and categories. */
export const itemTextTokens = perItem((item): readonly string[] =>
  contentTokens(
    [item.title, item.description, item.categories?.join(' ')].filter(Boolean).join(' '),
  ),
);

/** `item <id>: <title>` — how evidence names an item. */
export const cite = perItem((item) =>
  item.title ? `item ${item.id}: ${itemLabel(item, 70)}` : `item ${item.id}`,
);

/** Short name of an item inside a sentence. */
export const name = perItem((item) => itemLabel(item, 50));

function dedupeItems(items: Item[]): Item[] {
  const seen = new Set<string>();
  return items.filter((it) => !seen.has(it.id) && seen.add(it.id));
}

function lexiconHits(tokens: readonly string[], lexicon: ReadonlySet<string>): string[] {
  const hits: string[] = [];
  for (const t of tokens) {
    const s = lexicon.has(t) ? t : singular(t);
    if (lexicon.has(s)) hits.push(s);
  }
  return hits;
}

/** Count, per label, the distinct items `labelsOf` returns it for; keep those with >= minItems. */
function countSignals(
  items: Item[],
  labelsOf: (it: Item) => string[],
  source: string,
  minItems: number,
): Signal[] {
  const byLabel = new Map<string, Item[]>();
  for (const it of items) {
    for (const label of new Set(labelsOf(it))) {
      const list = byLabel.get(label) ?? [];
      list.push(it);
      byLabel.set(label, list);
    }
  }
  return [...byLabel.entries()]
    .filter(([, list]) => list.length >= minItems)
    .map(([label, list]) => ({ label, items: list, source }))
    .sort((a, b) => b.items.length - a.items.length);
}

function mineBrands(items: Item[]): Signal[] {
  const declared = countSignals(items, (it) => (it.brand ? [it.brand.trim()] : []), 'brand', 1);
  if (declared.length > 0) {
    return declared.map((s) => ({ ...s, label: sanitizeUntrusted(s.label, { maxChars: 40 }) }));
  }
  // No brand field (e.g. luxury-beauty-2018): a leading title phrase of one to
  // three capitalised words shared by >= 2 items is very likely the brand.
  const prefixes = new Map<string, { label: string; k: number; items: Item[] }>();
  for (const it of items) {
    const words = leadingWords(it.title ?? '');
    for (let k = 1; k <= words.length; k++) {
      const label = words.slice(0, k).join(' ');
      const key = label.toLowerCase();
      const entry = prefixes.get(key) ?? { label, k, items: [] };
      entry.items.push(it);
      prefixes.set(key, entry);
    }
  }
  const shared = [...prefixes.values()].filter((p) => p.items.length >= 2);
  // Per set of items keep the longest prefix ("Crabtree & Evelyn" over "Crabtree").
  const best = new Map<string, (typeof shared)[number]>();
  for (const p of shared) {
    const key = p.items.map((i) => i.id).join('\u0000');
    const cur = best.get(key);
    if (!cur || p.k > cur.k) best.set(key, p);
  }
  const chosen = [...best.values()].sort((a, b) => b.items.length - a.items.length || b.k - a.k);
  // Drop a prefix whose items are all covered by a longer chosen one ("Crabtree" vs its brand).
  return chosen
    .filter(
      (p) =>
        !chosen.some(
          (q) =>
            q !== p &&
            q.label.toLowerCase().startsWith(p.label.toLowerCase() + ' ') &&
            q.items.length >= p.items.length,
        ),
    )
    .map((p) => ({
      label: sanitizeUntrusted(p.label, { maxChars: 40 }),
      items: p.items,
      source: 'brand (from titles)',
    }));
}

/** Up to three leading capitalised words of a title, stopping at separators and generic words. */
function leadingWords(title: string): string[] {
  const words: string[] = [];
  for (const raw of title.split(/\s+/)) {
    if (words.length === 3 || /^[-|,:/(]/.test(raw)) break;
    const w = raw.replace(/[,:;|()]+$/, '');
    if (w === '&' || /^and$/i.test(w)) {
      if (words.length === 0) break;
      words.push(w);
      continue;
    }
    const lower = w.toLowerCase();
    const generic =
      STOPWORDS.has(lower) ||
      PRODUCT_TYPES.has(singular(lower)) ||
      USES.has(singular(lower)) ||
      FEATURES.has(lower) ||
      UNITS.has(lower);
    if (!/^[\p{Lu}\d]/u.test(w) || generic || /\d/.test(w)) break;
    words.push(w);
    if (raw !== w) break; // a trailing comma/colon ends the phrase
  }
  while (words.length > 0 && /^(&|and)$/i.test(words[words.length - 1])) words.pop();
  return words;
}

function mineCategories(items: Item[]): Signal[] {
  // The most specific shared level: count every level below the root department.
  const signals = countSignals(
    items,
    (it) => {
      const c = it.categories ?? [];
      return (c.length > 1 ? c.slice(1) : c).map((x) => x.trim()).filter(Boolean);
    },
    'category',
    1,
  );
  return signals.map((s) => ({
    ...s,
    label: sanitizeUntrusted(s.label, { maxChars: 40 }).toLowerCase(),
  }));
}

function minePrice(items: Item[]): PriceProfile | undefined {
  const priced = items
    .filter((it) => it.price !== undefined && Number.isFinite(it.price) && it.price >= 0)
    .sort((a, b) => a.price! - b.price!);
  if (priced.length === 0) return undefined;
  const mid = priced.length >> 1;
  const median =
    priced.length % 2 ? priced[mid].price! : (priced[mid - 1].price! + priced[mid].price!) / 2;
  const band = median < 15 ? 'budget' : median <= 50 ? 'mid-range' : 'premium';
  return { median, min: priced[0], max: priced[priced.length - 1], band, items: priced };
}

function mineOpinions(entry: HistoryEntry): Opinion[] {
  if (!entry.review?.trim()) return [];
  const text = sanitizeUntrusted(entry.review, { maxChars: 2000 });
  const tokens = tokenize(text);
  const out: Opinion[] = [];
  const seen = new Set<string>();
  tokens.forEach((t, i) => {
    const aspect = ASPECTS.has(t) ? t : singular(t);
    if (!ASPECTS.has(aspect) || seen.has(aspect)) return;
    for (let j = Math.max(0, i - 4); j <= Math.min(tokens.length - 1, i + 4); j++) {
      const w = tokens[j];
      const pos = POSITIVE.has(w);
      if (!pos && !NEGATIVE.has(w)) continue;
      const negated = tokens.slice(Math.max(0, j - 2), j).some((n) => NEGATORS.has(n));
      seen.add(aspect);
      out.push({
        aspect: aspect === 'oder' || aspect === 'odor' ? 'smell' : aspect,
        polarity: pos !== negated ? 'positive' : 'negative',
        word: negated ? `not ${w}` : w,
        item: entry.item,
        quote: quoteAround(text, t),
      });
      return;
    }
  });
  return out;
}

function quoteAround(text: string, token: string): string {
  const at = text.toLowerCase().indexOf(token);
  const start = Math.max(0, text.lastIndexOf(' ', Math.max(0, at - 30)) + 1);
  return sanitizeUntrusted(text.slice(start), { maxChars: 70 });
}

function mineRatings(entries: HistoryEntry[]): Profile['ratings'] {
  const rated = entries.filter((e) => e.rating !== undefined && Number.isFinite(e.rating));
  if (rated.length === 0) return undefined;
  const mean = rated.reduce((s, e) => s + e.rating!, 0) / rated.length;
  const max = Math.max(...rated.map((e) => e.rating!));
  const min = Math.min(...rated.map((e) => e.rating!));
  return {
    mean,
    count: rated.length,
    top: rated.filter((e) => e.rating === max),
    low: min < max ? rated.filter((e) => e.rating === min) : [],
  };
}
