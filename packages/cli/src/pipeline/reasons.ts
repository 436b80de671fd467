import type { Dataset, EvaluationSet, Item } from '@thoughtspace/data';
import { createProgress } from '@thoughtspace/runtime';
import {
  expandTree,
  leavesOf,
  selectReason,
  type AgreementFn,
  type Strategy,
  type ThoughtNode,
} from '@thoughtspace/tot-selector';
import { historyEvents } from './context';
import type { BehaviourRenderer, ReasonSource, ThoughtSpacePort } from './ports';

/** Per case: the tree of reasons and the behaviour context used to select in it (history only). */
export interface CaseReasons {
  nodes: ThoughtNode[];
  behaviour: string;
}

/**
 * Base reason from the history and similar users' items, expanded into a tree
 * of refinements. Nothing here sees the case's target or candidate set.
 */
export async function buildTrees(o: {
  dataset: Dataset;
  set: EvaluationSet;
  similarItems: Item[][];
  source: ReasonSource;
  branching: readonly number[];
  render: BehaviourRenderer;
  label: string;
  silent?: boolean;
}): Promise<CaseReasons[]> {
  const progress = createProgress({
    label: o.label,
    total: o.set.cases.length,
    unit: 'trees',
    silent: o.silent,
  });
  const out: CaseReasons[] = [];
  for (let i = 0; i < o.set.cases.length; i++) {
    const c = o.set.cases[i];
    const history = historyEvents(o.dataset, c.user, c.history);
    const base = await o.source.base(history, o.similarItems[i]);
    const nodes = await expandTree({
      base,
      branching: o.branching,
      refine: (parent, direction) => o.source.refine(parent, direction, history),
      directions: (count, level) => o.source.directions(count, level),
    });
    out.push({ nodes, behaviour: o.render(history) });
    progress.tick();
  }
  progress.done();
  return out;
}

/** Thought-Space agreement: cosine of E1(reason) and E2(behaviour) (both unit vectors). */
export function thoughtSpaceAgreement(space: ThoughtSpacePort): AgreementFn {
  return async (reasons, behaviour) => {
    const [b] = await space.encodeBehaviours([behaviour]);
    const r = await space.encodeRationales(reasons);
    return Float64Array.from(r, (v) => dot(v, b));
  };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The selected reason of every case under one strategy. */
export async function selectAll(o: {
  trees: CaseReasons[];
  strategy: Strategy;
  seed: number;
  users: string[];
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

export function leafCount(trees: CaseReasons[]): number {
  return trees.length ? leavesOf(trees[0].nodes).length : 0;
}
