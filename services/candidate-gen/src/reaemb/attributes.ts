import type { Item } from '@thoughtspace/data';
import { Rng } from '@thoughtspace/engine';
import { tokenize } from '@thoughtspace/text';

export const PAD = 0;
export const UNK = 1;

/** An item's attributes as token lists, in a fixed order: title, brand, category path, description. */
export function itemAttributes(item: Item): string[][] {
  const parts = [
    item.title,
    item.brand,
    item.categories?.map((c) => c.trim()).join(' '),
    item.description,
  ];
  return parts.map((p) => (p ? tokenize(p).slice(0, 64) : [])).filter((t) => t.length > 0);
}

/** Word -> id (0 padding, 1 unknown), the `size` most frequent words of the item texts, ties by word. */
export function buildVocabulary(
  attributes: readonly string[][][],
  size: number,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of attributes)
    for (const attr of item) for (const w of attr) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, size);
  return new Map(words.map(([w], i) => [w, i + 2]));
}

/** Token ids of attributes concatenated in the given order, truncated/padded to `length` (padding on the right). */
export function encodeAttributes(
  attrs: readonly string[][],
  vocab: ReadonlyMap<string, number>,
  length: number,
  out: BigInt64Array,
  offset: number,
): void {
  let k = 0;
  for (const attr of attrs) {
    for (const w of attr) {
      if (k >= length) break;
      out[offset + k++] = BigInt(vocab.get(w) ?? UNK);
    }
  }
  // An item with no text at all still gets one (unknown) token so pooling has a real position.
  if (k === 0) out[offset + k++] = BigInt(UNK);
  for (; k < length; k++) out[offset + k] = 0n;
}

/**
 * An LRCL view: attributes in a shuffled order, each dropped with probability
 * `drop` (at least one kept). Long attributes get a budget share so a
 * shuffled description cannot push every other attribute out.
 */
export function attributeView(attrs: readonly string[][], drop: number, rng: Rng): string[][] {
  const order = attrs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let kept = order.filter(() => rng.uniform() >= drop);
  if (kept.length === 0 && order.length > 0) kept = [order[0]];
  return kept.map((i) => attrs[i]);
}
