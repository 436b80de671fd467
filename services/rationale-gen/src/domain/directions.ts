import { InvalidArgumentError } from '../errors';

/**
 * The aspects a reason can be refined along, strongest general signals first.
 * Each is an operator of the embedded composer (domain/compose.ts) and a
 * plain-English instruction for language-model providers.
 */
export const DIRECTIONS = [
  'brand loyalty',
  'product type/category',
  'ingredient/feature',
  'price sensitivity',
  'occasion/use',
  'recency of taste',
  'review sentiment',
  "similar users' picks",
] as const;

export type Direction = (typeof DIRECTIONS)[number];

const NEXT = ', next strongest signal';

/**
 * `count` distinct refinement directions for tree level `level` (1 = children
 * of the base reason). Deterministic. Each level starts further along the list
 * so a second-level node is refined along other aspects than its parent's
 * usual one; past the end of the list the directions repeat with a `, next
 * strongest signal` suffix (the composer then uses the second-ranked aspect).
 */
export function refinementDirections(count: number, level: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new InvalidArgumentError(`count must be an integer in [1, 64], got ${count}`);
  }
  if (!Number.isInteger(level) || level < 1 || level > 16) {
    throw new InvalidArgumentError(`level must be an integer in [1, 16], got ${level}`);
  }
  const n = DIRECTIONS.length;
  const start = ((level - 1) * 3) % n;
  return Array.from({ length: count }, (_, i) => {
    const rank = Math.floor(i / n);
    const base = DIRECTIONS[(start + i) % n];
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
