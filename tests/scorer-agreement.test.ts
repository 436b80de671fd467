/**
 * The scorer's feature builder with real models, for real candidates of
 * all-beauty-2018: the `candidate` agreement feature served from a start-up
 * table (E2 of every catalogue item, encoded once) gives the same features,
 * bit for bit, as encoding the candidates' texts per request (the reference
 * path); a user state and a reason embedding handed over from upstream
 * replace the scorer's own model runs only when they name its models.
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
  type HandedInput,
  type SasrecFeatures,
  type ThoughtSpaceFeatures,
} from '@thoughtspace/scorer';
import { tinySasrecModel, tinyThoughtSpaceModel } from './model-fixtures';

const F = COLLABORATIVE_FEATURES.length + 1;

describe('scorer agreement feature: start-up item table vs per-request encoding', () => {
  let sasrec: SasrecModel;
  let encoder: ThoughtSpaceModel;
  let requests: { history: { itemId: string }[]; candidates: string[]; reason: string }[];
  let build: (
    agreement: 'history-candidate' | 'candidate',
    table: boolean,
    models?: {
      sasrec: SasrecFeatures;
      encoder: ThoughtSpaceFeatures;
      onRecompute: (input: HandedInput) => void;
    },
  ) => FeatureBuilder;

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
    build = (agreement, withTable, models) =>
      createFeatureBuilder({
        layout: { sasrecStd: 3, behaviourMaxItems: 20, agreement },
        fit: sequencesBefore(loo, 'valid'),
        itemIds: dataset.itemIds,
        catalogue,
        sasrec,
        encoder,
        itemBehaviours: withTable ? table : undefined,
        ...models,
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

  describe('vectors handed over from upstream', () => {
    // The real models, counting their runs.
    const runs = { state: 0, e1: 0 };
    const recomputed: HandedInput[] = [];
    const counted = (): Parameters<typeof build>[2] => ({
      sasrec: {
        hidden: sasrec.hidden,
        userStateModel: sasrec.userStateModel,
        itemEmbedding: sasrec.itemEmbedding,
        userEmbeddings: (h) => (runs.state++, sasrec.userEmbeddings(h)),
        scoreWithEmbedding: (e, row, c) => sasrec.scoreWithEmbedding(e, row, c),
      },
      encoder: {
        dim: encoder.dim,
        rationaleModel: encoder.rationaleModel,
        encodeRationales: (t) => (runs.e1++, encoder.encodeRationales(t)),
        encodeBehaviours: (t) => encoder.encodeBehaviours(t),
      },
      onRecompute: (input) => recomputed.push(input),
    });
    const index = () => new Map(sasrec.manifest.itemIds.map((id, i) => [id, i]));
    /** What candidate-gen and tot-selector hand on: the state, and E1 from a batch of leaves. */
    const upstream = async (r: (typeof requests)[number]) => {
      const ids = index();
      const state = await sasrec.userEmbeddings([
        Int32Array.from(r.history, (e) => ids.get(e.itemId)!),
      ]);
      const [e1] = await encoder.encodeRationales([r.reason, 'another leaf', 'a third leaf']);
      return {
        userState: { model: sasrec.userStateModel, values: state },
        reasonEmbedding: { model: encoder.rationaleModel, values: e1 },
      };
    };
    beforeEach(() => {
      runs.state = runs.e1 = 0;
      recomputed.length = 0;
    });

    it("replace the scorer's own SASRec and E1 runs when they name its models", async () => {
      const handed = build('candidate', true, counted());
      const reference = build('candidate', true);
      for (const r of requests) {
        const a = await handed({ ...r, ...(await upstream(r)) });
        const b = await reference(r);
        // The same user state (one history per run either way); E1 from a batch of three
        // differs from E1 alone in the last bits only.
        expect(Array.from(a.features.filter((_, i) => i % F !== F - 1))).toEqual(
          Array.from(b.features.filter((_, i) => i % F !== F - 1)),
        );
        for (let k = 0; k < r.candidates.length; k++)
          expect(a.features[k * F + F - 1]).toBeCloseTo(b.features[k * F + F - 1], 5);
        expect(Array.from(a.items)).toEqual(Array.from(b.items));
      }
      expect(runs).toEqual({ state: 0, e1: 0 });
      expect(recomputed).toEqual([]);
    });

    it('of another model are not used: the scorer runs its own and counts it', async () => {
      const r = requests[1];
      const given = await upstream(r);
      const a = await build(
        'candidate',
        true,
        counted(),
      )({
        ...r,
        userState: { ...given.userState, model: 'sasrec-user@0000000000000000' },
        reasonEmbedding: { ...given.reasonEmbedding, model: '' },
      });
      const b = await build('candidate', true)(r);
      expect(Array.from(a.features)).toEqual(Array.from(b.features));
      expect(runs).toEqual({ state: 1, e1: 1 });
      expect(recomputed.sort()).toEqual(['reason_embedding', 'user_state']);
    });

    it('of the wrong size or with a non-finite value are INVALID_ARGUMENT naming the field', async () => {
      const r = requests[2];
      const given = await upstream(r);
      const handed = build('candidate', true, counted());
      const short = { ...given.userState, values: given.userState.values.slice(0, 3) };
      await expect(handed({ ...r, userState: short })).rejects.toThrow(
        `user_state.values: 3 values, ${sasrec.userStateModel} has ${sasrec.hidden}`,
      );
      const values = Float32Array.from(given.reasonEmbedding.values);
      values[2] = NaN;
      await expect(
        handed({ ...r, reasonEmbedding: { ...given.reasonEmbedding, values } }),
      ).rejects.toThrow('reason_embedding.values[2]: NaN is not a finite number');
    });

    it('a reason embedding without a reason is ignored: scored without a reason', async () => {
      const r = { ...requests[3], reason: null };
      const { reasonEmbedding } = await upstream(requests[3]);
      const a = await build('candidate', true, counted())({ ...r, reasonEmbedding });
      expect(a.reason).toBeNull();
      for (let k = 0; k < r.candidates.length; k++) expect(a.features[k * F + F - 1]).toBe(0);
    });
  });
});
