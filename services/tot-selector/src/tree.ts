import { InvalidArgumentError } from '@thoughtspace/runtime';

/** One node of the reasoning tree: the base reason is the root (depth 0). */
export interface ThoughtNode {
  id: number;
  depth: number;
  parent: number | null;
  reason: string;
  /** Refinement direction that produced it (absent at the root). */
  direction?: string;
}

/** Produces a child reason from a parent and one direction (a rationale provider's refine call). */
export type Refine = (parent: string, direction: string, depth: number) => Promise<string>;
/**
 * The directions to expand a node at a given level (1-based), `count` of
 * them; `first` is the breadth-first index (root excluded) of the node's
 * first child, so a source can give every refinement of a tree its own kind.
 */
export type Directions = (count: number, level: number, first: number) => string[];

export interface ExpandOptions {
  base: string;
  /** Children per node at each level, e.g. [2, 3] = b1 2 first-level refinements, each with b2 3 children. */
  branching: readonly number[];
  refine: Refine;
  directions: Directions;
}

export const DEFAULT_BRANCHING = [2, 3] as const;

export function validateBranching(branching: readonly number[]): void {
  if (branching.length === 0 || branching.length > 4) {
    throw new InvalidArgumentError(`branching: depth must be 1-4 levels, got ${branching.length}`);
  }
  branching.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 1 || b > 8)
      throw new InvalidArgumentError(`branching[${i}]: must be 1-8, got ${b}`);
  });
}

/**
 * Breadth-first expansion of the base reason: every node at level l gets
 * branching[l] children, one per direction, all of a level's refinements
 * requested at once. Returns all nodes, root first; the leaves are the
 * nodes at the last level.
 */
export async function expandTree(o: ExpandOptions): Promise<ThoughtNode[]> {
  validateBranching(o.branching);
  const nodes: ThoughtNode[] = [{ id: 0, depth: 0, parent: null, reason: o.base }];
  let frontier = [nodes[0]];
  for (let level = 1; level <= o.branching.length; level++) {
    const count = o.branching[level - 1];
    // Every parent of a level is refined at once; ids and directions follow breadth-first order.
    const directions = frontier.map((_, p) =>
      o.directions(count, level, nodes.length - 1 + p * count),
    );
    const children = await Promise.all(
      frontier.map((parent, p) =>
        Promise.all(directions[p].map((d) => o.refine(parent.reason, d, level))),
      ),
    );
    const next = frontier.flatMap((parent, p) =>
      children[p].map((reason, k) => ({
        id: nodes.length + p * count + k,
        depth: level,
        parent: parent.id,
        reason,
        direction: directions[p][k],
      })),
    );
    nodes.push(...next);
    frontier = next;
  }
  return nodes;
}

export function leavesOf(nodes: ThoughtNode[]): ThoughtNode[] {
  const depth = Math.max(...nodes.map((n) => n.depth));
  return nodes.filter((n) => n.depth === depth);
}
