import { InvalidArgumentError } from '../errors';

/**
 * The kinds of evidence a reason can be refined from, one operator each of
 * the embedded composer (domain/compose.ts) and a plain-English instruction
 * for language-model providers. Ordered so that the nodes of a default tree
 * (2 x 3: 2 first-level and 6 second-level refinements) each argue from a
 * different kind: item metadata (brand, category, price band), the user's
 * reviews (aspects), the neighbours' items, the last items (recency), then
 * text-mined features and uses. None needs the test item.
 */
export const DIRECTIONS = [
  'brand loyalty',
  'product type/category',
  'price band',
  'review aspects',
  "similar users' picks",
  'recency of taste',
  'ingredient/feature',
  'occasion/use',
] as const;

export type Direction = (typeof DIRECTIONS)[number];

const NEXT = ', next strongest signal';

/**
 * `count` distinct refinement directions for tree level `level` (1 = children
 * of the base reason). Deterministic.
 *
 * With `first` (the breadth-first index, root excluded, of the first of these
 * children in the tree: expandTree passes it), every refinement of the tree
 * gets its own kind of evidence: node g argues from DIRECTIONS[g mod 8], so
 * siblings, cousins and ancestors never share one until the tree has more
 * than 8 refinements; past that the kinds repeat with a `, next strongest
 * signal` suffix (the composer then uses the second-ranked signal).
 *
 * Without `first` (a lone REFINE call that does not know its place in a
 * tree), each level starts further along the list, as before.
 */
export function refinementDirections(count: number, level: number, first?: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new InvalidArgumentError(`count must be an integer in [1, 64], got ${count}`);
  }
  if (!Number.isInteger(level) || level < 1 || level > 16) {
    throw new InvalidArgumentError(`level must be an integer in [1, 16], got ${level}`);
  }
  if (first !== undefined && (!Number.isInteger(first) || first < 0 || first > 1 << 16)) {
    throw new InvalidArgumentError(`first must be an integer in [0, 65536], got ${first}`);
  }
  const n = DIRECTIONS.length;
  const start = first ?? ((level - 1) * 3) % n;
  return Array.from({ length: count }, (_, i) => {
    const g = start + i;
    const rank = first === undefined ? Math.floor(i / n) : Math.floor(g / n);
    const base = DIRECTIONS[g % n];
    return rank === 0 ? base : `${base}${NEXT.repeat(rank)}`;
  });
}

/** Parse a direction string: which operator and which rank (0 = strongest). Unknown text -> undefined operator. */
export function parseDirection(direction: string): { operator?: Direction; rank: number } {
  const text = direction.trim().toLowerCase();
  const operator = DIRECTIONS.find((d) => text.startsWith(d));
  const rank = text.split(NEXT.trim()).length - 1;
  return { operator, rank };
}
