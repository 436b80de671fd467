import {
  leaveOneOut,
  prepareDataset,
  buildEvaluationSet,
  parseProtocol,
  sequencesBefore,
} from '@thoughtspace/data';
import { renderBehaviourText } from '@thoughtspace/text';
import {
  agreementOf,
  agreementText,
  collaborativeFeatures,
  sasrecScale,
  scorerExamples,
  scorerFeatureNames,
  SCORER_FEATURES,
} from './features';

describe('agreement feature definitions', () => {
  const item = { id: 'i2', title: 'Rose night cream', brand: 'Acme' };
  const history = [
    { item: { id: 'i1', title: 'Lavender soap' }, rating: 5, review: 'smells great' },
  ];

  it('renders history + candidate exactly as training did, or the candidate alone', () => {
    expect(
      agreementText({ agreement: 'history-candidate', history, candidate: item, maxItems: 20 }),
    ).toBe(renderBehaviourText(history, item));
    const alone = agreementText({ agreement: 'candidate', history, candidate: item, maxItems: 20 });
    expect(alone).toBe(renderBehaviourText([], item));
    expect(alone).not.toContain('Lavender');
  });

  it("reads the definition back from model.json's feature names", () => {
    expect(scorerFeatureNames()).toEqual([...SCORER_FEATURES]);
    expect(agreementOf([...SCORER_FEATURES])).toBe('history-candidate');
    expect(agreementOf(scorerFeatureNames('candidate'))).toBe('candidate');
    expect(agreementOf(['sasrec_logit_centered', 'log_popularity'])).toBeUndefined();
  });
});

describe('scorer feature layout', () => {
  it('puts the collaborative features first and reason . behaviour last, per candidate', () => {
    const collaborative = [Float32Array.from([1, 2, 3, 4, 5, 6])];
    const withCandidate = [Float32Array.from([1, 0]), Float32Array.from([0.5, 0.5])];
    const rows = (items: ArrayLike<number>) => Float32Array.from(Array.from(items), (i) => i * 10);
    const [ex] = scorerExamples({
      candidates: [{ items: [7, 8], targetIndex: 1 }],
      collaborative,
      withCandidate,
      reasons: [Float32Array.from([0.6, 0.8])],
      itemRows: rows,
    });
    expect(SCORER_FEATURES).toHaveLength(4);
    expect(Array.from(ex.features)).toEqual([
      1,
      2,
      3,
      expect.closeTo(0.6, 6),
      4,
      5,
      6,
      expect.closeTo(0.7, 6),
    ]);
    expect(Array.from(ex.items)).toEqual([70, 80]);
    expect(ex.label).toBe(1);
    const [none] = scorerExamples({
      candidates: [{ items: [7, 8], targetIndex: 0 }],
      collaborative,
      withCandidate,
      itemRows: rows,
    });
    expect(none.reason).toBeNull();
    expect(none.features[3]).toBe(0);
    expect(none.features[7]).toBe(0);
    expect(() =>
      scorerExamples({
        candidates: [{ items: [7, 8], targetIndex: 0 }],
        collaborative,
        withCandidate: [withCandidate[0]],
        itemRows: rows,
      }),
    ).toThrow(/^withCandidate: 1 vectors for 2 candidates/);
  });

  it('collaborative features on real data: a given scale equals the pooled default', async () => {
    const { dataset, manifest } = await prepareDataset({ dataset: 'all-beauty-2018' });
    const loo = leaveOneOut(dataset);
    const set = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'test',
      protocol: parseProtocol('sampled:9'),
      seed: 1,
      loo,
    });
    const sasrecScores = set.candidates.map((c) => Float64Array.from(c.items, (i) => Math.sin(i)));
    const fit = { sequences: sequencesBefore(loo, 'test'), numItems: dataset.itemIds.length };
    const pooled = collaborativeFeatures({ set, fit, sasrecScores });
    const given = collaborativeFeatures({
      set,
      fit,
      sasrecScores,
      scale: sasrecScale(sasrecScores),
    });
    expect(given).toEqual(pooled);
    const halved = collaborativeFeatures({
      set,
      fit,
      sasrecScores,
      scale: 2 * sasrecScale(sasrecScores),
    });
    expect(halved[0][0]).toBeCloseTo(pooled[0][0] / 2, 6);
    // popularity: log(1 + count) of the candidate in the fitted sequences
    const counts = new Map<number, number>();
    for (const s of fit.sequences) for (const i of s) counts.set(i, (counts.get(i) ?? 0) + 1);
    expect(pooled[0][1]).toBeCloseTo(Math.log1p(counts.get(set.candidates[0].items[0]) ?? 0), 5);
  });
});
