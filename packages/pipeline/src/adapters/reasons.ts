import type { Item } from '@thoughtspace/data';
import { refinementDirections, type RationaleProvider } from '@thoughtspace/rationale-gen';
import type { TreeReasonSource } from '@thoughtspace/tot-selector';
import type { CallOptions, HistoryEvent, Reason, ReasonPort } from '../ports';

/** rationale-gen's provider, in-process, as the chain's ReasonPort. */
export function inProcessReasons(provider: RationaleProvider): ReasonPort {
  const reason = (r: { reason: string; provider: string; model: string }): Reason => ({
    reason: r.reason,
    provider: r.provider,
    model: r.model,
  });
  const signal = (opts?: CallOptions) => ({ signal: opts?.signal });
  return {
    positive: async (req, opts) =>
      reason(
        await provider.generate(
          { kind: 'positive', history: req.history, target: req.target },
          signal(opts),
        ),
      ),
    baseReason: async (req, opts) =>
      reason(
        await provider.generate(
          { kind: 'base', history: req.history, similarItems: req.similarItems },
          signal(opts),
        ),
      ),
    refine: async (req, opts) =>
      reason(
        await provider.generate(
          {
            kind: 'refine',
            history: req.history,
            parent: req.parent,
            direction: req.direction,
            similarItems: req.similarItems,
          },
          signal(opts),
        ),
      ),
  };
}

/** A ReasonPort as tot-selector's tree source (batch tree building in the main job). */
export function treeSource(reasons: ReasonPort): TreeReasonSource {
  return {
    base: async (history: HistoryEvent[], similarItems: Item[]) =>
      (await reasons.baseReason({ history, similarItems })).reason,
    refine: async (
      parent: string,
      direction: string,
      history: HistoryEvent[],
      similarItems: Item[],
    ) => (await reasons.refine({ history, parent, direction, similarItems })).reason,
    directions: refinementDirections,
  };
}
