import { InvalidArgumentError } from '@thoughtspace/runtime';
import { selectReason, type AgreementFn, type Strategy } from '../select';
import { expandTree, leavesOf, validateBranching, type ThoughtNode } from '../tree';

/** A history as the downstream services take it: item ids with optional ratings and reviews, oldest first. */
export interface HistoryRef {
  userId?: string;
  interactions: { itemId: string; rating?: number; review?: string; summary?: string }[];
}

export interface CallBudget {
  deadline?: number;
  signal?: AbortSignal;
}

/**
 * Writes the whole tree below `base` in one call (rationale-gen REFINE with
 * tree_position and further_levels; without `base`, BASE with
 * further_levels: the base reason too, returned as `base`): `texts` holds
 * every node but the root in breadth-first order, level by level, each level
 * parent by parent; each gets the refinement direction the tree gives its
 * place, as in the main job's trees.
 */
export type TreeWriter = (
  req: {
    history: HistoryRef;
    /** The root; absent = write it (from the history and the similar items) in the same call. */
    base?: string;
    /** Children per node at each level, e.g. [2, 3]. */
    branching: readonly number[];
    /** Items of similar users, the context the base reason had too. */
    similarItemIds: string[];
    seed?: number;
    provider?: string;
  },
  budget: CallBudget,
) => Promise<{
  texts: string[];
  provider: string;
  model: string;
  /** The base reason, when this call wrote it, and the ms spent on it. */
  base?: { text: string; ms: number };
}>;

/** cos(E1(rationale), E2(history)) for each rationale (the encoder's Agreement). */
export type ThoughtSpaceAgreement = (
  req: { rationales: string[]; history: HistoryRef },
  budget: CallBudget,
) => Promise<Float64Array>;

/** E1 of a reason and the name of the model that computed it (SelectResponse.selected_embedding). */
export type ReasonEmbedding = (text: string) => Promise<{ model: string; values: Float32Array }>;

export interface SelectorDefaults {
  /** [b1, b2, b2, ...]: children of the root, then of every deeper node. */
  branching: readonly number[];
  strategy: Strategy;
}

export const DEFAULT_SELECTOR: SelectorDefaults = { branching: [2, 3], strategy: 'thought-space' };

export interface ExpandInput {
  history: HistoryRef;
  /** The root; absent = rationale-gen writes it in the tree's call. */
  base?: string;
  /** Items of similar users, passed on to every refinement (as to the base reason). */
  similarItemIds?: string[];
  branching: readonly number[];
  seed?: number;
  provider?: string;
}

export interface SelectInput {
  history: HistoryRef;
  nodes: ThoughtNode[];
  strategy: Strategy;
  seed: string;
}

export interface SelectorDomain {
  /**
   * The tree and who wrote its refinements (empty when nothing was refined);
   * `base` when the call wrote the root too.
   */
  expand(
    input: ExpandInput,
    budget: CallBudget,
  ): Promise<{
    nodes: ThoughtNode[];
    provider: string;
    model: string;
    base?: { text: string; ms: number };
  }>;
  select(
    input: SelectInput,
    budget: CallBudget,
  ): Promise<{ node: ThoughtNode; leafScores?: Float64Array; leaves: number }>;
  /**
   * Start what a selection with `strategy` needs from the history alone (the
   * Thought Space's E2 of the behaviour), so it runs while the tree is being
   * written rather than after: call it once the tree's request is on its
   * way. Never throws; select() reports any error.
   */
  prepare(input: { history: HistoryRef; strategy: Strategy }): void;
  /**
   * E1 of a reason, for the scorer (free right after a thought-space
   * selection scored it); absent when the Thought Space is not in this
   * process.
   */
  reasonEmbedding?: ReasonEmbedding;
}

/**
 * Tree expansion and leaf selection: the whole tree from rationale-gen in
 * one call (one refinement per direction, every node's direction that of its
 * place) and the Thought-Space agreement of the leaves (in this process or
 * from the encoder). The generic-semantic ablation
 * needs word vectors in-process; log-likelihood needs a language model that
 * scores text (`likelihoodAgreement` over a provider with
 * `capabilities.logprobs`, e.g. llama-cpp in-process).
 */
export function createSelectorDomain(o: {
  writeTree: TreeWriter;
  agreement: ThoughtSpaceAgreement;
  /** Starts the history's part of `agreement` early (absent: nothing to start, e.g. a remote encoder). */
  prefetchAgreement?: (history: HistoryRef) => void;
  /** E1 of a reason (absent: not offered, e.g. a remote encoder). */
  reasonEmbedding?: ReasonEmbedding;
  /** Averaged word vectors for generic-semantic (absent = that strategy is refused). */
  generic?: AgreementFn;
  /** Mean token log-likelihood of the behaviour given a leaf (absent = log-likelihood is refused). */
  likelihood?: AgreementFn;
  /** Renders the behaviour text generic-semantic compares with (history item titles). */
  renderHistory?: (history: HistoryRef) => string;
}): SelectorDomain {
  return {
    async expand(input, budget) {
      validateBranching(input.branching);
      if (input.base !== undefined && !input.base.trim())
        throw new InvalidArgumentError('base_reason must not be empty');
      const written = await o.writeTree(
        {
          history: input.history,
          base: input.base,
          branching: input.branching,
          similarItemIds: input.similarItemIds ?? [],
          seed: input.seed,
          provider: input.provider,
        },
        budget,
      );
      const size = treeSize(input.branching);
      if (written.texts.length !== size) {
        throw new InvalidArgumentError(
          `rationale-gen returned ${written.texts.length} refinements, the tree has ${size}`,
        );
      }
      const root = input.base ?? written.base?.text;
      if (!root?.trim()) throw new InvalidArgumentError('rationale-gen wrote no base reason');
      // expandTree lays the tree out; a node's breadth-first index (root excluded) is its
      // place in `texts`.
      const nodes = await expandTree({
        base: root,
        branching: input.branching,
        directions: (count, _level, first) =>
          Array.from({ length: count }, (_, i) => `${first + i}`),
        refine: async (_parent, place) => written.texts[Number(place)],
      });
      return { nodes, provider: written.provider, model: written.model, base: written.base };
    },
    reasonEmbedding: o.reasonEmbedding,
    prepare(input) {
      if (input.strategy === 'thought-space') o.prefetchAgreement?.(input.history);
    },
    async select(input, budget) {
      checkTree(input.nodes);
      const agreement: Partial<
        Record<'thought-space' | 'generic-semantic' | 'log-likelihood', AgreementFn>
      > = {
        'thought-space': async (reasons) =>
          o.agreement({ rationales: reasons, history: input.history }, budget),
      };
      if (o.generic) agreement['generic-semantic'] = o.generic;
      if (o.likelihood) agreement['log-likelihood'] = o.likelihood;
      const selection = await selectReason({
        strategy: input.strategy,
        nodes: input.nodes,
        behaviour:
          o.renderHistory?.(input.history) ??
          input.history.interactions.map((i) => i.itemId).join(' '),
        seed: input.seed,
        agreement,
      });
      return {
        ...selection,
        leaves: input.strategy === 'base-only' ? 1 : leavesOf(input.nodes).length,
      };
    },
  };
}

/** Nodes below the root of a full tree: b1 + b1*b2 + ... */
function treeSize(branching: readonly number[]): number {
  let level = 1;
  let size = 0;
  for (const b of branching) {
    level *= b;
    size += level;
  }
  return size;
}

/** A tree sent back by a client: root first, parents before children, ids 0..n-1. */
function checkTree(nodes: ThoughtNode[]): void {
  if (nodes.length === 0) throw new InvalidArgumentError('nodes must not be empty');
  nodes.forEach((n, i) => {
    if (n.id !== i) throw new InvalidArgumentError(`nodes[${i}]: ids must be 0..n-1 in order`);
    if (i === 0 ? n.parent !== null : n.parent === null || n.parent >= i) {
      throw new InvalidArgumentError(
        `nodes[${i}].parent_id must name an earlier node${i === 0 ? ' (the root has none)' : ''}`,
      );
    }
    if (!n.reason.trim())
      throw new InvalidArgumentError(`nodes[${i}].rationale.reason must not be empty`);
  });
}
