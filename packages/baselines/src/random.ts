import { createRng } from '@thoughtspace/runtime';
import type { CandidateScorer } from './scorer';

/** Uniform random scores, seeded per user: the chance level of a protocol (HR@1 = 1/|candidates|). */
export function randomScorer(options: { seed: number }): CandidateScorer {
  return {
    name: 'random',
    score({ user, candidates }) {
      const rng = createRng(`random-baseline|${options.seed}|${user}`);
      return Float64Array.from(candidates, () => rng.next());
    },
  };
}
