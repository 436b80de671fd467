import type { Interaction, Item } from '../types';

/**
 * The items a dataset consists of: every item the interactions reference,
 * with its catalogue entry where there is one and as a bare `{ id }` where
 * there is none. Catalogue entries come first in catalogue order, then the
 * uncatalogued items in order of first reference. Catalogue entries that no
 * interaction references are left out: no sequence can contain them, and
 * full metadata files are far larger than the review subsets built on them.
 * Pass `interactions === undefined` to keep the whole catalogue.
 */
export function joinCatalogue(
  interactions: readonly Interaction[] | undefined,
  catalogue: ReadonlyMap<string, Item>,
): Item[] {
  if (interactions === undefined) return [...catalogue.values()];
  const referenced = referencedItems(interactions);
  const items: Item[] = [];
  for (const [id, item] of catalogue) if (referenced.has(id)) items.push(item);
  for (const id of referenced) if (!catalogue.has(id)) items.push({ id });
  return items;
}

/** Distinct item ids in order of first reference. */
export function referencedItems(interactions: readonly Interaction[]): Set<string> {
  const ids = new Set<string>();
  for (const e of interactions) ids.add(e.item);
  return ids;
}

/** Set `attributes[key]` when the value is present, creating the record on first use. */
export function setAttribute(item: Item, key: string, value: string | undefined): void {
  if (value === undefined) return;
  if (item.attributes === undefined) item.attributes = {};
  item.attributes[key] = value;
}
