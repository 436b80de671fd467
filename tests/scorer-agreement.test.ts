/**
 * The scorer's `candidate` agreement feature served from a start-up table
 * (E2 of every catalogue item, encoded once) gives the same features, bit for
 * bit, as encoding the candidates' texts per request (the reference path),
 * for real candidates of all-beauty-2018 with real models.
 */
import { SasrecModel } from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';
import { ThoughtSpaceModel } from '@thoughtspace/encoder';
import { createProvider } from '@thoughtspace/rationale-gen';
import {
  COLLABORATIVE_FEATURES,
  createFeatureBuilder,
  itemBehaviours,
  type FeatureBuilder,
} from '@thoughtspace/scorer';
import { tinySasrecModel, tinyThoughtSpaceModel } from './model-fixtures';

const F = COLLABORATIVE_FEATURES.length + 1;

describe('scorer agreement feature: start-up item table vs per-request encoding', () => {
  let sasrec: SasrecModel;
  let encoder: ThoughtSpaceModel;
  let requests: { history: { itemId: string }[]; candidates: string[]; reason: string }[];
  let build: (agreement: 'history-candidate' | 'candidate', table: boolean) => FeatureBuilder;

  beforeAll(async () => {
    const { dataset, manifest } = await prepareDataset({ dataset: 'all-beauty-2018' });
    sasrec = await SasrecModel.load(await tinySasrecModel(), { threads: 1 });
    encoder = await ThoughtSpaceModel.load(await tinyThoughtSpaceModel(), { threads: 1 });
    const loo = leaveOneOut(dataset);
    const valid = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'valid',
      protocol: parseProtocol('sampled:49'),
      seed: 3,
      loo,
    });
    const provider = await createProvider({ kind: 'embedded' });
    requests = [];
    for (let i = 0; i < 12; i++) {
      const c = valid.cases[i * 7];
      const history = Array.from(c.history, (k) => ({ item: dataset.items[k] }));
      const base = await provider.generate({ kind: 'base', history, similarItems: [] });
      requests.push({
        history: Array.from(c.history, (k) => ({ itemId: dataset.itemIds[k] })),
        candidates: Array.from(valid.candidates[i * 7].items, (k) => dataset.itemIds[k]),
        reason: base.reason,
      });
    }
    await provider.dispose();
    const catalogue = dataset.items;
    const table = await itemBehaviours({ catalogue, encoder, maxItems: 20 });
    build = (agreement, withTable) =>
      createFeatureBuilder({
        layout: { sasrecStd: 3, behaviourMaxItems: 20, agreement },
        fit: sequencesBefore(loo, 'valid'),
        itemIds: dataset.itemIds,
        catalogue,
        sasrec,
        encoder,
        itemBehaviours: withTable ? table : undefined,
      });
  }, 120_000);
  afterAll(async () => {
    await sasrec?.dispose();
    await encoder?.dispose();
  });

  it('gives bit-identical features for real candidates (50 per request)', async () => {
    const fast = build('candidate', true);
    const reference = build('candidate', false);
    for (const r of requests) {
      const a = await fast(r);
      const b = await reference(r);
      expect(a.features.length).toBe(r.candidates.length * F);
      expect(Array.from(a.features)).toEqual(Array.from(b.features));
      expect(Array.from(a.items)).toEqual(Array.from(b.items));
      expect(Array.from(a.reason ?? [])).toEqual(Array.from(b.reason ?? []));
    }
  });

  it('differs from the history-candidate feature only in the agreement column', async () => {
    const candidate = build('candidate', true);
    const withHistory = build('history-candidate', false);
    let differ = 0;
    for (const r of requests) {
      const a = (await candidate(r)).features;
      const b = (await withHistory(r)).features;
      for (let k = 0; k < r.candidates.length; k++) {
        expect(Array.from(a.subarray(k * F, k * F + F - 1))).toEqual(
          Array.from(b.subarray(k * F, k * F + F - 1)),
        );
        if (a[k * F + F - 1] !== b[k * F + F - 1]) differ++;
      }
    }
    // The fixture's E2 reads the last 16 tokens only (mostly the candidate line),
    // so many candidates agree either way; some must not.
    expect(differ).toBeGreaterThan(0);
  });

  it('scores without a reason alike (agreement 0) and refuses a table for the wrong layout', async () => {
    const r = { ...requests[0], reason: null };
    const a = await build('candidate', true)(r);
    for (let k = 0; k < r.candidates.length; k++) expect(a.features[k * F + F - 1]).toBe(0);
    expect(() => build('history-candidate', true)).toThrow(
      /itemBehaviours: only the candidate agreement/,
    );
  });
});
