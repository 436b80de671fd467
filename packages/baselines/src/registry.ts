import { InvalidArgumentError } from '@thoughtspace/runtime';
import { markovScorer } from './markov';
import { popularityScorer } from './popularity';
import { randomScorer } from './random';
import type { CandidateScorer, FitInput } from './scorer';

export const BASELINES = ['random', 'pop', 'markov'] as const;
export type BaselineName = (typeof BASELINES)[number];

export function createBaseline(name: string, fit: FitInput, seed: number): CandidateScorer {
  switch (name) {
    case 'random':
      return randomScorer({ seed });
    case 'pop':
      return popularityScorer(fit);
    case 'markov':
      return markovScorer(fit);
    default:
      throw new InvalidArgumentError(
        `unknown baseline "${name}"; choose one of ${BASELINES.join(', ')}`,
      );
  }
}
