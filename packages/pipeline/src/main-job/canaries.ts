import type { MetricReport } from '@thoughtspace/metrics';
import {
  inputDifferences,
  replaceTestTargets,
  sampleCases,
  testPathInputs,
  type InputDifference,
  type TestPathInputs,
  type TestPathOptions,
} from './invariance';
import type { Variant } from './phase-two';

/**
 * The variants whose scorer inputs the test path rebuilds (controls
 * included); generic-space and likelihood need parts the canary does not
 * rebuild (word vectors, a language model's log-probabilities).
 */
export const INVARIANCE_VARIANTS: Variant[] = [
  'no-reason',
  'control-channels',
  'control-other-user',
  'control-neighbours',
  'base-only',
  'random-leaf',
  'thought-space',
];

/**
 * The data-invariance canary's size, in CI and in the main job: a tiny
 * SASRec and a one-epoch encoder on one intra-op thread (with two threads
 * onnxruntime training is not bit-reproducible run to run, and the canary
 * compares inputs bit for bit). The models are smaller than the main job's;
 * the code path (pools, trees, selection, features) is the same.
 */
export const INVARIANCE_BUDGET = {
  sasrec: { maxLen: 20, hidden: 16, epochs: 4, evalEvery: 2, patience: 1 },
  encoder: { epochs: 1, threads: 1 },
  /** Test cases the main job compares (a seeded sample). */
  cases: 300,
};

export type InvarianceCanaryOptions = Omit<TestPathOptions, 'sasrec' | 'encoderConfig' | 'leak'> & {
  /** Seed of the replacement targets (replaceTestTargets). */
  replacementSeed: number;
};

export interface InvarianceCanary {
  /** Test cases compared. */
  cases: number;
  /** Of those, cases whose target the replacement moved (all of them on an honest split). */
  moved: number;
  variants: Variant[];
  /** Scorer inputs that changed with the targets: none on an honest pipeline. */
  differences: InputDifference[];
  /** The same comparison with a planted leak (popularity over all interactions): must be non-empty. */
  positiveControl: InputDifference[];
  /** No input moved, every target moved, and the planted leak was seen. */
  passed: boolean;
  seconds: number;
  /** The two test paths (for tests that look further; not written to results). */
  real: TestPathInputs;
  swapped: TestPathInputs;
}

/**
 * The data-invariance canary: the whole test path rebuilt from the real data
 * and from the data with every test target replaced (replaceTestTargets), on
 * the same candidate sets; the scorer inputs must be identical. The planted
 * leak of the positive control must show up as differences.
 */
export async function invarianceCanary(o: InvarianceCanaryOptions): Promise<InvarianceCanary> {
  const started = performance.now();
  const log = o.log ?? (() => undefined);
  const common = {
    ...o,
    sasrec: INVARIANCE_BUDGET.sasrec,
    encoderConfig: INVARIANCE_BUDGET.encoder,
    leak: 'popularity-over-all-interactions' as const,
  };
  log('invariance canary: test path on the real data ...');
  const real = await testPathInputs(common);
  log('invariance canary: test path with every test target replaced ...');
  const swapped = await testPathInputs({
    ...common,
    dataset: replaceTestTargets(o.dataset, o.replacementSeed),
  });
  const differences = inputDifferences(real.examples, swapped.examples);
  const positiveControl = inputDifferences(real.leaked!, swapped.leaked!);
  const moved = real.set.cases.filter((c, i) => c.target !== swapped.set.cases[i].target).length;
  return {
    cases: real.set.cases.length,
    moved,
    variants: o.variants,
    differences,
    positiveControl,
    passed:
      differences.length === 0 && moved === real.set.cases.length && positiveControl.length > 0,
    seconds: (performance.now() - started) / 1000,
    real,
    swapped,
  };
}

/** What results.json records of both canaries. */
export interface CanariesBlock {
  labelPermutation: {
    method: string;
    chance: number;
    metrics: MetricReport['metrics'];
    /** The 95% CI of HR@1 under permuted labels contains chance. */
    atChance: boolean;
  };
  dataInvariance?: {
    cases: number;
    sampleSeed: number;
    replacementSeed: number;
    moved: number;
    variants: Variant[];
    differences: InputDifference[];
    positiveControl: { leak: 'popularity-over-all-interactions'; differences: InputDifference[] };
    passed: boolean;
    seconds: number;
    budget: typeof INVARIANCE_BUDGET;
  };
}

/**
 * Stage: the data-invariance canary in the main job, on a seeded sample of
 * test users at INVARIANCE_BUDGET (its cost is two tiny SASRecs, two
 * one-epoch Phase Is and the sample's trees).
 */
export async function invarianceCanaryStage(
  o: Omit<InvarianceCanaryOptions, 'cases' | 'replacementSeed' | 'variants'> & {
    cases?: number;
  },
): Promise<NonNullable<CanariesBlock['dataInvariance']>> {
  const cases = sampleCases(o.candidates.length, o.cases ?? INVARIANCE_BUDGET.cases, o.seed);
  const c = await invarianceCanary({
    ...o,
    cases,
    replacementSeed: o.seed,
    variants: INVARIANCE_VARIANTS,
  });
  return {
    cases: c.cases,
    sampleSeed: o.seed,
    replacementSeed: o.seed,
    moved: c.moved,
    variants: c.variants,
    differences: c.differences,
    positiveControl: { leak: 'popularity-over-all-interactions', differences: c.positiveControl },
    passed: c.passed,
    seconds: Number(c.seconds.toFixed(1)),
    budget: INVARIANCE_BUDGET,
  };
}

/** The label-permutation canary's entry: at chance when its HR@1 CI contains chance. */
export function labelCanaryBlock(canary: {
  method: string;
  chance: number;
  metrics: MetricReport['metrics'];
}): CanariesBlock['labelPermutation'] {
  const hr = canary.metrics['HR@1'];
  return { ...canary, atChance: hr.low <= canary.chance && canary.chance <= hr.high };
}

/** One line per canary for the printed table and report.md. */
export function canaryLines(c: CanariesBlock): string[] {
  const l = c.labelPermutation;
  const hr = l.metrics['HR@1'];
  const lines = [
    `label-permutation canary (${l.method}): HR@1 ${hr.mean.toFixed(4)} [${hr.low.toFixed(4)}, ${hr.high.toFixed(4)}], chance ${l.chance.toFixed(4)}: ${l.atChance ? 'at chance' : 'NOT AT CHANCE'}`,
  ];
  const d = c.dataInvariance;
  if (d) {
    const moved = d.differences.map((x) => `${x.variant}:${x.field} (${x.cases} cases)`);
    lines.push(
      `data-invariance canary (${d.cases} sampled test users, ${d.variants.length} variants, targets replaced in ${d.moved}): ${moved.length === 0 ? 'no scorer input moved' : `INPUTS MOVED: ${moved.join(', ')}`}; planted leak seen in ${d.positiveControl.differences.length} of ${d.variants.length} variants; ${d.passed ? 'passed' : 'FAILED'} (${d.seconds.toFixed(0)} s)`,
    );
  }
  return lines;
}
