import type { Item } from '@thoughtspace/data';

/** One history event as the reasoning stages see it. */
export interface HistoryEvent {
  item: Item;
  rating?: number;
  review?: string;
}

/** What the pipeline needs from rationale-gen (adapted from its providers). */
export interface ReasonSource {
  readonly provider: string;
  readonly model: string;
  /** Why this user chose `target` (training targets only). */
  positive(history: HistoryEvent[], target: Item): Promise<string>;
  /** A base reason from the history and similar users' items; never sees the target. */
  base(history: HistoryEvent[], similarItems: Item[]): Promise<string>;
  refine(parent: string, direction: string, history: HistoryEvent[]): Promise<string>;
  directions(count: number, level: number): string[];
}

/** What the pipeline needs from the encoder (the Thought Space). */
export interface ThoughtSpacePort {
  readonly dim: number;
  encodeRationales(texts: string[]): Promise<Float32Array[]>;
  encodeBehaviours(texts: string[]): Promise<Float32Array[]>;
}

/** Behaviour text for E2: the history, optionally with one candidate (never the evaluated target alone). */
export type BehaviourRenderer = (history: HistoryEvent[], candidate?: Item) => string;
