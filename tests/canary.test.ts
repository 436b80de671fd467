import { evaluateScorer, popularityScorer } from '@thoughtspace/baselines';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  permuteLabels,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';

// The canary's mechanism, on real data: an honest model (never reads the
// label) drops to chance on permuted labels; a model that reads the label
// follows it and would be caught.
describe('leakage canary mechanism (luxury-beauty-2018, sampled:9)', () => {
  it('sends an honest model to chance and catches a leaking one', async () => {
    const { dataset, manifest } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
    const loo = leaveOneOut(dataset);
    const set = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'test',
      protocol: parseProtocol('sampled:9'),
      seed: 1,
      loo,
    });
    const permuted = permuteLabels(set, 1);
    const honest = popularityScorer({
      sequences: sequencesBefore(loo, 'test'),
      numItems: dataset.itemIds.length,
    });
    const opts = { silent: true, resamples: 200 };
    const onTrue = evaluateScorer(set, honest, opts).report.metrics['HR@1'].mean;
    const onPermuted = evaluateScorer(permuted, honest, opts).report.metrics['HR@1'].mean;
    expect(onTrue).toBeGreaterThan(0.3);
    expect(Math.abs(onPermuted - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / set.cases.length));

    // A leaking scorer looks the label up through the case, as a buggy pipeline would.
    const targetOf = new Map(permuted.cases.map((c) => [c.user, c.target]));
    const leaky = {
      name: 'leaky',
      score: ({ user, candidates }: { user: number; candidates: Int32Array }) =>
        Float64Array.from(candidates, (c) => (c === targetOf.get(user) ? 1 : 0)),
    };
    expect(evaluateScorer(permuted, leaky, opts).report.metrics['HR@1'].mean).toBe(1);
  });
});
