import { createRng, InvalidArgumentError } from '@thoughtspace/runtime';
import { leavesOf, type ThoughtNode } from './tree';

/** How a leaf is chosen (the ablations of the method). */
export type Strategy =
  'thought-space' | 'random-leaf' | 'base-only' | 'generic-semantic' | 'log-likelihood';
export const STRATEGIES: readonly Strategy[] = [
  'thought-space',
  'random-leaf',
  'base-only',
  'generic-semantic',
  'log-likelihood',
];

/**
 * Scores texts against the behaviour context: the Thought Space (cosine of
 * E1(reason) and E2(behaviour)), a generic space (averaged pretrained word
 * vectors), or a provider's log-likelihood. Higher = fits better.
 */
export type AgreementFn = (reasons: string[], behaviour: string) => Promise<Float64Array>;

export interface SelectOptions {
  strategy: Strategy;
  nodes: ThoughtNode[];
  /** The behaviour context: never contains the evaluated target (history only). */
  behaviour: string;
  /** Seed stream for random-leaf (e.g. `${seed}|${user}`). */
  seed: string;
  agreement?: Partial<Record<'thought-space' | 'generic-semantic' | 'log-likelihood', AgreementFn>>;
}

export interface Selection {
  node: ThoughtNode;
  /** Agreement of every leaf (absent for random-leaf and base-only). */
  leafScores?: Float64Array;
}

export async function selectReason(o: SelectOptions): Promise<Selection> {
  if (o.strategy === 'base-only') return { node: o.nodes[0] };
  const leaves = leavesOf(o.nodes);
  if (o.strategy === 'random-leaf')
    return { node: leaves[createRng(`random-leaf|${o.seed}`).int(leaves.length)] };
  const fn = o.agreement?.[o.strategy];
  if (!fn)
    throw new InvalidArgumentError(
      `strategy ${o.strategy}: no agreement function configured (the provider may not expose log-probabilities)`,
    );
  const scores = await fn(
    leaves.map((l) => l.reason),
    o.behaviour,
  );
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return { node: leaves[best], leafScores: scores };
}
