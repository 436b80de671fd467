import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  permuteLabels,
  prepareDataset,
  type Prepared,
} from '@thoughtspace/data';
import {
  inProcessReasons,
  INVARIANCE_VARIANTS,
  invarianceCanary,
  replaceTestTargets,
  type InvarianceCanaryOptions,
} from '@thoughtspace/pipeline';
import { createProvider, type RationaleProvider } from '@thoughtspace/rationale-gen';
import { DEFAULT_AGREEMENT, type ScorerExample } from '@thoughtspace/scorer';

// The data-invariance canary on real data (all-beauty-2018) at CI size: every
// test target is replaced by a random item its user never touched, the whole
// test path (tiny SASRec, Phase I, similar users' pools, trees, features) is
// rebuilt from the changed data, and the scorer inputs for the real
// candidate sets must be bit-for-bit the same. The positive control plants a
// leak (popularity counted over all interactions, test targets included):
// this canary sees it, the label-permutation canary does not. The main job
// runs the same code (invarianceCanary) on a seeded sample of test users.
const CASES = 150;
const POPULARITY = 1; // index of log_popularity among the per-candidate features (SCORER_FEATURES)
const FEATURES = 4;

/** HR@1 of ranking each case's candidates by one feature column (ties share the hit). */
function hr1ByFeature(
  examples: ScorerExample[],
  labels: readonly { targetIndex: number }[],
): number {
  let hits = 0;
  examples.forEach((x, i) => {
    const C = x.features.length / FEATURES;
    const score = (k: number) => x.features[k * FEATURES + POPULARITY];
    const t = score(labels[i].targetIndex);
    let above = 0;
    let tied = 0;
    for (let k = 0; k < C; k++) {
      if (score(k) > t) above++;
      else if (score(k) === t) tied++;
    }
    if (above === 0) hits += 1 / tied;
  });
  return hits / examples.length;
}

describe('data-invariance canary (all-beauty-2018, sampled:9, tiny SASRec)', () => {
  let prepared: Prepared;
  let provider: RationaleProvider;
  let options: Omit<InvarianceCanaryOptions, 'dataset'>;

  beforeAll(async () => {
    prepared = await prepareDataset({ dataset: 'all-beauty-2018' });
    provider = await createProvider({ kind: 'embedded' });
    const { dataset, manifest } = prepared;
    const protocol = parseProtocol('sampled:9');
    const real = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'test',
      protocol,
      seed: 4,
      loo: leaveOneOut(dataset),
    });
    options = {
      datasetHash: manifest.hash,
      candidates: real.candidates,
      protocol,
      seed: 4,
      reasons: inProcessReasons(provider),
      provider: provider.name,
      branching: [2, 2],
      // The main job's default scorer feature, so CI checks the configuration that is served.
      agreement: DEFAULT_AGREEMENT,
      variants: INVARIANCE_VARIANTS,
      cases: CASES,
      replacementSeed: 4,
    };
  });

  afterAll(async () => {
    await provider?.dispose();
  });

  it('replaces each test target by an untouched item and nothing else', () => {
    const { dataset } = prepared;
    const swapped = replaceTestTargets(dataset, 4);
    let changed = 0;
    swapped.sequences.forEach((seq, u) => {
      const old = dataset.sequences[u];
      expect(seq.length).toBe(old.length);
      if (old.length < 3) return expect(seq).toBe(old);
      expect(Array.from(seq.subarray(0, -1))).toEqual(Array.from(old.subarray(0, -1)));
      expect(Array.from(old)).not.toContain(seq[seq.length - 1]);
      changed++;
    });
    expect(changed).toBe(leaveOneOut(dataset).test.length);
  });

  it('finds the real test path invariant and catches a planted leak the label canary misses', async () => {
    const { dataset } = prepared;
    const canary = await invarianceCanary({ ...options, dataset });
    const { real } = canary;

    // The real pipeline: identical scorer inputs for every variant, though every label moved.
    expect(canary.differences).toEqual([]);
    expect(canary).toMatchObject({ cases: CASES, moved: CASES, passed: true });

    // The planted leak: the canary reports the popularity feature of (nearly) every case.
    const leaks = canary.positiveControl;
    expect(leaks.map((d) => `${d.variant}:${d.field}`).sort()).toEqual(
      INVARIANCE_VARIANTS.map((v) => `${v}:features`).sort(),
    );
    for (const d of leaks) expect(d.cases).toBeGreaterThan(CASES * 0.9);

    // The leak is real: ranking by the leaked popularity finds the true item far more often ...
    const leaked = real.leaked!.get('no-reason')!;
    const honest = real.examples.get('no-reason')!;
    const candidates = real.set.candidates;
    expect(hr1ByFeature(leaked, candidates)).toBeGreaterThan(
      hr1ByFeature(honest, candidates) + 0.1,
    );
    // ... yet the label-permutation canary sits at chance on it and passes.
    const permuted = permuteLabels(real.set, 4).candidates;
    const onPermuted = hr1ByFeature(leaked, permuted);
    expect(Math.abs(onPermuted - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / CASES));
  }, 600_000);
});
