import { buildEvaluationSet } from './candidates';
import { permuteLabels } from './canary';
import { prepareDataset } from './prepare';
import { parseProtocol } from './sampling';

describe('permuteLabels', () => {
  it('keeps cases and candidates, moves the label uniformly, deterministically', async () => {
    const { dataset, manifest } = await prepareDataset({ dataset: 'all-beauty-2018' });
    const set = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'test',
      protocol: parseProtocol('sampled:9'),
      seed: 1,
    });
    const p = permuteLabels(set, 7);
    expect(p.cases.map((c) => Array.from(c.history))).toEqual(
      set.cases.map((c) => Array.from(c.history)),
    );
    p.candidates.forEach((c, i) => {
      expect(c.items).toBe(set.candidates[i].items);
      expect(c.items[c.targetIndex]).toBe(p.cases[i].target);
    });
    const same =
      p.candidates.filter((c, i) => c.targetIndex === set.candidates[i].targetIndex).length /
      p.candidates.length;
    expect(Math.abs(same - 0.1)).toBeLessThan(0.05);
    expect(permuteLabels(set, 7).candidates.map((c) => c.targetIndex)).toEqual(
      p.candidates.map((c) => c.targetIndex),
    );
    expect(permuteLabels(set, 8).candidates.map((c) => c.targetIndex)).not.toEqual(
      p.candidates.map((c) => c.targetIndex),
    );
  });
});
