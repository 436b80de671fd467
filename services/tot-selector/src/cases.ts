import type { Item } from '@thoughtspace/data';
import { createProgress, dot } from '@thoughtspace/runtime';
import type { HistoryEntry } from '@thoughtspace/text';
import { selectReason, type AgreementFn, type Strategy } from './select';
import { expandTree, type ThoughtNode } from './tree';

/** Per case: the tree of reasons and the behaviour context used to select in it (history only). */
export interface CaseReasons {
  nodes: ThoughtNode[];
  behaviour: string;
}

/** What tree building needs from rationale-gen. */
export interface TreeReasonSource {
  /** A base reason from the history and similar users' items; never sees a target. */
  base(history: HistoryEntry[], similarItems: Item[]): Promise<string>;
  /** One refinement; `similarItems` are the base reason's (the neighbours' items operator argues from them). */
  refine(
    parent: string,
    direction: string,
    history: HistoryEntry[],
    similarItems: Item[],
  ): Promise<string>;
  directions(count: number, level: number, first: number): string[];
}

/**
 * For every case, a base reason from its history and its similar users'
 * items, expanded into a tree of refinements, and the behaviour context
 * selection will compare leaves with. Nothing here sees a case's target or
 * candidate set.
 */
export async function buildTrees(o: {
  cases: readonly { history: HistoryEntry[]; similarItems: Item[] }[];
  source: TreeReasonSource;
  branching: readonly number[];
  /** E2's behaviour text for a history (no candidate). */
  render: (history: HistoryEntry[]) => string;
  label: string;
  silent?: boolean;
}): Promise<CaseReasons[]> {
  const progress = createProgress({
    label: o.label,
    total: o.cases.length,
    unit: 'trees',
    silent: o.silent,
  });
  const out: CaseReasons[] = [];
  for (const c of o.cases) {
    const base = await o.source.base(c.history, c.similarItems);
    const nodes = await expandTree({
      base,
      branching: o.branching,
      refine: (parent, direction) => o.source.refine(parent, direction, c.history, c.similarItems),
      directions: (count, level, first) => o.source.directions(count, level, first),
    });
    out.push({ nodes, behaviour: o.render(c.history) });
    progress.tick();
  }
  progress.done();
  return out;
}

/** Thought-Space agreement: cosine of E1(reason) and E2(behaviour), both unit vectors, so a dot product. */
export function thoughtSpaceAgreement(space: {
  encodeRationales(texts: readonly string[]): Promise<Float32Array[]>;
  encodeBehaviours(texts: readonly string[]): Promise<Float32Array[]>;
}): AgreementFn {
  return async (reasons, behaviour) => {
    const [b] = await space.encodeBehaviours([behaviour]);
    const r = await space.encodeRationales(reasons);
    return Float64Array.from(r, (v) => dot(v, b));
  };
}

/** The selected reason of every case under one strategy; random-leaf draws from `${seed}|${user}`. */
export async function selectAll(o: {
  trees: readonly CaseReasons[];
  strategy: Strategy;
  seed: number;
  users: readonly string[];
  agreement: Partial<Record<'thought-space' | 'generic-semantic' | 'log-likelihood', AgreementFn>>;
}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < o.trees.length; i++) {
    const t = o.trees[i];
    const s = await selectReason({
      strategy: o.strategy,
      nodes: t.nodes,
      behaviour: t.behaviour,
      seed: `${o.seed}|${o.users[i]}`,
      agreement: o.agreement,
    });
    out.push(s.node.reason);
  }
  return out;
}
