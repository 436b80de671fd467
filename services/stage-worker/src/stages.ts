import {
  TOPICS,
  candidatesCodec,
  predictionCodec,
  recRequestCodec,
  selectionCodec,
  type EventCodec,
} from '@thoughtspace/kafka';
import type { KafkaStageHandlers } from '@thoughtspace/pipeline';

export const STAGE_NAMES = ['candidate-gen', 'tot-selector', 'scorer'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** One stage's wiring: input topic and codec -> handler -> output topic and codec. */
export interface StageSpec<I, O> {
  input: { topic: string; codec: EventCodec<I> };
  output: { topic: string; codec: EventCodec<O> };
  handle(handlers: KafkaStageHandlers, event: I): Promise<O>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- a table of specs of different event types */
export const STAGES: Record<StageName, StageSpec<any, any>> = {
  'candidate-gen': {
    input: { topic: TOPICS.recRequests, codec: recRequestCodec },
    output: { topic: TOPICS.candidates, codec: candidatesCodec },
    handle: (h, e) => h.candidates(e),
  },
  'tot-selector': {
    input: { topic: TOPICS.candidates, codec: candidatesCodec },
    output: { topic: TOPICS.selections, codec: selectionCodec },
    handle: (h, e) => h.selection(e),
  },
  scorer: {
    input: { topic: TOPICS.selections, codec: selectionCodec },
    output: { topic: TOPICS.predictions, codec: predictionCodec },
    handle: (h, e) => h.scorer(e),
  },
};
/* eslint-enable @typescript-eslint/no-explicit-any */
