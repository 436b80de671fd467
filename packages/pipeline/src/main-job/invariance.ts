import {
  trainSasrec,
  trainedSasrecIndex,
  validateConfig,
  type SasrecConfig,
} from '@thoughtspace/candidate-gen';
import {
  leaveOneOut,
  MIN_EVAL_LENGTH,
  type CandidateSet,
  type Dataset,
  type EvaluationSet,
  type Protocol,
} from '@thoughtspace/data';
import { MemoSpace, type ThoughtSpaceConfig } from '@thoughtspace/encoder';
import { createRng } from '@thoughtspace/runtime';
import {
  collaborativeFeatures,
  type AgreementFeature,
  type ScorerExample,
} from '@thoughtspace/scorer';
import { thoughtSpaceAgreement } from '@thoughtspace/tot-selector';
import { treeSource } from '../adapters/reasons';
import type { ReasonPort } from '../ports';
import { phaseOneStage } from './phase-one';
import { examplesFor, prepareSplit, type PreparedSplit, type Variant } from './phase-two';

/**
 * The data-invariance canary's input: the same dataset with every test
 * target (the last item of each user with an evaluation case) replaced by a
 * seeded random item that user never touched. The rating, review and summary
 * of that event are blanked, since they described the old item. Nothing else
 * changes, so everything a pipeline may legitimately use at test time
 * (training prefixes, validation items, item texts) is the same.
 */
export function replaceTestTargets(dataset: Dataset, seed: number): Dataset {
  const rng = createRng(`invariance|${seed}`);
  const numItems = dataset.itemIds.length;
  const evaluated = (seq: Int32Array) => seq.length >= MIN_EVAL_LENGTH;
  const sequences = dataset.sequences.map((seq) => {
    if (!evaluated(seq)) return seq;
    const touched = new Set(seq);
    if (touched.size >= numItems) return seq;
    let item: number;
    do item = rng.int(numItems);
    while (touched.has(item));
    const out = Int32Array.from(seq);
    out[out.length - 1] = item;
    return out;
  });
  const blankLast = <T>(rows: T[][] | undefined, blank: T): T[][] | undefined =>
    rows?.map((r, u) =>
      evaluated(dataset.sequences[u]) ? [...r.slice(0, r.length - 1), blank] : r,
    );
  const blankLastTyped = (rows: Float32Array[] | undefined): Float32Array[] | undefined =>
    rows?.map((r, u) => {
      if (!evaluated(dataset.sequences[u])) return r;
      const out = Float32Array.from(r);
      out[out.length - 1] = Number.NaN;
      return out;
    });
  return {
    ...dataset,
    sequences,
    ratings: blankLastTyped(dataset.ratings),
    reviews: blankLast(dataset.reviews, null),
    summaries: blankLast(dataset.summaries, null),
  };
}

/** How a planted leak enters the test path (positive controls only). */
export type PlantedLeak = 'popularity-over-all-interactions';

export interface TestPathOptions {
  dataset: Dataset;
  /** The real dataset's manifest hash: seeds and candidate sampling stay those of the real run. */
  datasetHash: string;
  /** The real test candidate sets (the real target among them); the canary scores exactly these. */
  candidates: CandidateSet[];
  protocol: Protocol;
  seed: number;
  reasons: ReasonPort;
  provider: string;
  branching: readonly number[];
  sasrec: Partial<SasrecConfig>;
  encoderConfig?: Partial<ThoughtSpaceConfig>;
  variants: Variant[];
  /** The scorer's agreement feature the inputs are built with (the run's; default history-candidate). */
  agreement?: AgreementFeature;
  /** Also compute the inputs with a planted leak (positive control): features fitted on every interaction. */
  leak?: PlantedLeak;
  /**
   * Evaluate only some test cases: the first N (a number) or these test-case
   * indices (the main job's seeded sample). Pools and models still use every user.
   */
  cases?: number | readonly number[];
  log?: (line: string) => void;
}

export interface TestPathInputs {
  /** The test set as the path saw it (its labels are the dataset's test targets). */
  set: EvaluationSet;
  prepared: PreparedSplit;
  examples: Map<Variant, ScorerExample[]>;
  /** With `leak`: the same inputs with the leak planted (positive control). */
  leaked?: Map<Variant, ScorerExample[]>;
}

/**
 * Everything the test path computes for the given candidate sets, rebuilt
 * from `dataset` alone: SASRec (trained and early-stopped on this dataset's
 * validation split), the Thought Space (Phase I), the similar users' pools,
 * the trees and the scorer inputs of every variant.
 */
export async function testPathInputs(o: TestPathOptions): Promise<TestPathInputs> {
  const { dataset } = o;
  const log = o.log ?? (() => undefined);
  const loo = leaveOneOut(dataset);
  if (o.candidates.length !== loo.test.length)
    throw new Error(
      `candidates: ${o.candidates.length} sets for ${loo.test.length} test cases of this dataset`,
    );
  const picked = caseIndices(o.cases, loo.test.length);
  const set: EvaluationSet = {
    split: 'test',
    protocol: o.protocol,
    seed: o.seed,
    datasetHash: o.datasetHash,
    cases: picked.map((i) => loo.test[i]),
    candidates: picked.map((i) => o.candidates[i]),
  };
  log('invariance canary: training SASRec ...');
  const trained = await trainSasrec({
    dataset,
    datasetHash: o.datasetHash,
    loo,
    config: validateConfig({ ...o.sasrec, seed: o.seed }),
    validProtocol: o.protocol,
    silent: true,
  });
  log('invariance canary: Phase I ...');
  const { space } = await phaseOneStage({
    dataset,
    loo,
    name: 'invariance canary',
    reasons: o.reasons,
    provider: o.provider,
    seed: o.seed,
    encoderConfig: o.encoderConfig,
    silent: true,
    log: () => undefined,
  });
  try {
    const memo = new MemoSpace(space, space.config.outputDim, { silent: true });
    const sasrec = trainedSasrecIndex(trained);
    log('invariance canary: pools, trees and features of the test cases ...');
    const prepared = await prepareSplit(
      {
        dataset,
        loo,
        sasrec,
        source: treeSource(o.reasons),
        memo,
        branching: o.branching,
        agreement: o.agreement,
        silent: true,
      },
      set,
      'test',
    );
    const agreement = { 'thought-space': thoughtSpaceAgreement(memo) };
    const examplesOf = async (split: PreparedSplit) => {
      const examples = new Map<Variant, ScorerExample[]>();
      for (const variant of o.variants)
        examples.set(
          variant,
          await examplesFor({
            prepared: split,
            variant,
            dataset,
            sasrec,
            memo,
            seed: o.seed,
            agreement,
          }),
        );
      return examples;
    };
    const examples = await examplesOf(prepared);
    let leaked: Map<Variant, ScorerExample[]> | undefined;
    if (o.leak === 'popularity-over-all-interactions') {
      // The planted bug: counts over the whole dataset, test targets included.
      const states = await sasrec.userStates(set.cases.map((k) => k.history));
      const collab = collaborativeFeatures({
        set,
        fit: { sequences: dataset.sequences, numItems: dataset.itemIds.length },
        sasrecScores: set.cases.map((_, i) => sasrec.scores(states, i, set.candidates[i].items)),
      });
      leaked = await examplesOf({ ...prepared, collab });
    }
    return { set, prepared, examples, leaked };
  } finally {
    await space.dispose();
    await trained.trainer.dispose();
  }
}

function caseIndices(cases: number | readonly number[] | undefined, total: number): number[] {
  if (cases === undefined) return Array.from({ length: total }, (_, i) => i);
  if (typeof cases === 'number') return Array.from({ length: Math.min(cases, total) }, (_, i) => i);
  for (const i of cases)
    if (!Number.isInteger(i) || i < 0 || i >= total)
      throw new Error(`cases: index ${i} is outside the ${total} test cases`);
  return [...cases];
}

/**
 * A seeded sample of `n` distinct test-case indices out of `total`, in
 * ascending order (partial Fisher-Yates on the stream `invariance-sample|seed`).
 */
export function sampleCases(total: number, n: number, seed: number): number[] {
  const k = Math.min(n, total);
  const rng = createRng(`invariance-sample|${seed}`);
  const all = Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(total - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k).sort((a, b) => a - b);
}

export interface InputDifference {
  variant: Variant;
  /** features (collaborative + agreement), items (SASRec item rows), reason (E1 of the selected reason). */
  field: 'features' | 'items' | 'reason';
  /** Cases whose input differs. */
  cases: number;
  /** First differing case, for the message. */
  first: number;
}

const sameArray = (a: ArrayLike<number> | null, b: ArrayLike<number> | null) => {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
};

/**
 * The scorer inputs that differ between two runs of the test path on the
 * same candidate sets. Labels are not compared: they are what the canary
 * changes. An honest pipeline yields none.
 */
export function inputDifferences(
  a: Map<Variant, ScorerExample[]>,
  b: Map<Variant, ScorerExample[]>,
): InputDifference[] {
  const out: InputDifference[] = [];
  for (const [variant, xs] of a) {
    const ys = b.get(variant);
    if (!ys || ys.length !== xs.length)
      throw new Error(`inputDifferences: ${variant} has ${ys?.length ?? 0} vs ${xs.length} cases`);
    for (const field of ['features', 'items', 'reason'] as const) {
      let cases = 0;
      let first = -1;
      xs.forEach((x, i) => {
        if (sameArray(x[field], ys[i][field])) return;
        cases++;
        if (first < 0) first = i;
      });
      if (cases > 0) out.push({ variant, field, cases, first });
    }
  }
  return out;
}
