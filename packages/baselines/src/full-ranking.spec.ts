import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';
import { buildFullRankingSet, evaluateFullRanking, fullCandidates } from './full-ranking';
import { evaluateScorer } from './harness';
import { createBaseline } from './registry';

describe('full ranking without candidate lists on all-beauty-2018 (test split, seed 1)', () => {
  it('gives every baseline the same ranks as the spelled-out full protocol', async () => {
    const { dataset, manifest } = await prepareDataset({ dataset: 'all-beauty-2018' });
    const loo = leaveOneOut(dataset);
    const common = { dataset, datasetHash: manifest.hash, split: 'test' as const, seed: 1, loo };
    const spelled = buildEvaluationSet({ ...common, protocol: parseProtocol('full') });
    const full = buildFullRankingSet(common);
    expect(full.cases).toHaveLength(spelled.cases.length);
    full.cases.forEach((_, i) => {
      if (i % 97 === 0) expect(fullCandidates(full, i)).toEqual(spelled.candidates[i].items);
    });
    const fit = { sequences: sequencesBefore(loo, 'test'), numItems: dataset.itemIds.length };
    const opts = { silent: true, resamples: 20 };
    for (const name of ['pop', 'markov', 'random']) {
      const scorer = createBaseline(name, fit, 1);
      expect(Boolean(scorer.scoreAll)).toBe(name !== 'random');
      const want = evaluateScorer(spelled, scorer, opts).ranks;
      const got = evaluateFullRanking(full, scorer, opts).ranks;
      expect(Array.from(got)).toEqual(Array.from(want));
      // Not a degenerate case: ranks spread over the catalogue.
      expect(new Set(got).size).toBeGreaterThan(50);
    }
  });
});
