import type { Item } from '@thoughtspace/data';
import { refinementDirections, type RationaleProvider } from '@thoughtspace/rationale-gen';
import { renderBehaviour } from '@thoughtspace/text';
import type { BehaviourRenderer, HistoryEvent, ReasonSource } from './ports';

/** A rationale-gen provider as the pipeline's ReasonSource. */
export function reasonSource(provider: RationaleProvider): ReasonSource {
  return {
    provider: provider.name,
    model: provider.model,
    positive: async (history: HistoryEvent[], target: Item) =>
      (await provider.generate({ kind: 'positive', history, target })).reason,
    base: async (history: HistoryEvent[], similarItems: Item[]) =>
      (await provider.generate({ kind: 'base', history, similarItems })).reason,
    refine: async (parent: string, direction: string, history: HistoryEvent[]) =>
      (await provider.generate({ kind: 'refine', history, parent, direction })).reason,
    directions: refinementDirections,
  };
}

/** E2's behaviour text: the 20 most recent items, plus one candidate when scoring candidates alike. */
export const renderBehaviourText: BehaviourRenderer = (history, candidate) =>
  renderBehaviour({ history, candidate }, { maxItems: 20 });
