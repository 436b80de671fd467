import { join } from 'node:path';
import { alignColumns } from '@thoughtspace/metrics';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import {
  leaveOneOut,
  sampleUsers,
  shortHash,
  type Prepared,
  type Protocol,
} from '@thoughtspace/data';
import { createProvider, type ProviderOptions } from '@thoughtspace/rationale-gen';
import { validateBranching, loadGenericSpace, type GenericSpace } from '@thoughtspace/tot-selector';
import { DEFAULT_AGREEMENT, type AgreementFeature } from '@thoughtspace/scorer';
import { inProcessReasons } from '../adapters/reasons';
import { invarianceCanaryStage, labelCanaryBlock, type CanariesBlock } from './canaries';
import { outputStage, progressWriter, REFERENCE, resultsStage, usage } from './outputs';
import { likelihoodSelection } from './likelihood';
import { preflight } from './preflight';
import { PREDICTIONS_FILE, writePredictions } from './predictions';
import { writeSeedTable } from './seeds';
import type { Variant } from './phase-two';
import { runReasoning, type ReasoningResult } from './reasoning';
import { servingBundleStage } from './serving';
import { siblingsStage, siblingWordVectors, type Sibling } from './siblings';
import { createStageTimer, type StageHook } from './stage-timer';
import {
  baselineStage,
  comparisonStage,
  evaluationStage,
  MAIN_BUDGET,
  QUICK_BUDGET,
  sasrecStage,
  type RunRow,
} from './stages';

export const VARIANTS: Variant[] = [
  'no-reason',
  'control-channels',
  'control-other-user',
  'control-neighbours',
  'base-only',
  'random-leaf',
  'thought-space',
  'generic-semantic',
  'log-likelihood',
];

export interface MainJobOptions {
  /** The dataset everything runs and is evaluated on. */
  prepared: Prepared;
  /** Cross-domain: the dataset whose rationales train the Thought Space. */
  trainOn?: Prepared;
  /** Output folder (results.json, report.md, plots). */
  out: string;
  protocol: Protocol;
  seed: number;
  /** Bootstrap resamples for the CIs. */
  resamples: number;
  /** CI-sized budgets (QUICK_BUDGET) instead of MAIN_BUDGET. */
  quick?: boolean;
  /**
   * Cap on users: a seeded sample of at most this many users is the dataset
   * every stage sees (default: the budget's, 2,500 under --quick, none
   * otherwise; 0 = no cap). Reported in the table and results.json.
   */
  maxUsers?: number;
  /** Maximum SASRec epochs (default: the budget's). */
  sasrecEpochs?: number;
  /** Tree branching per level, e.g. [2, 3]. */
  branching: readonly number[];
  /**
   * The scorer's agreement feature: history-candidate (default, the method's)
   * or candidate (E2 of the candidate alone: no E2 run per request when
   * serving; see docs/decisions/0019).
   */
  scorerAgreement?: AgreementFeature;
  /** false: stop after the baselines and SASRec. */
  reasoning: boolean;
  /** rationale-gen provider (cache directory included). */
  provider: ProviderOptions;
  /**
   * Sibling methods added as rows (`--siblings`): trained on the same split,
   * evaluated on the same test set, paired against SASRec. Default none.
   */
  siblings?: readonly Sibling[];
  /**
   * false: skip the data-invariance canary stage (default: it runs whenever
   * the reasoning stages do, on a seeded sample of test users).
   */
  invarianceCanary?: boolean;
  /** GloVe .zip/.txt for the generic-space ablation; absent -> that row is skipped and said so. */
  wordVectors?: string;
  /** The command line, for provenance in results. */
  command: string;
  /** Printed table (default stdout). */
  say?: (line?: string) => void;
  /** Progress and notes (default stderr). */
  log?: (line: string) => void;
}

/**
 * The main job: baselines, SASRec, then Phase I and Phase II of the method
 * with their ablations and the leakage canary, paired comparisons, and the
 * results files. Each step is a named stage (stages.ts, reasoning.ts,
 * outputs.ts) with its own inputs and outputs.
 */
export async function runMainJob(o: MainJobOptions): Promise<void> {
  const started = performance.now();
  const say = o.say ?? ((line = '') => process.stdout.write(`${line}\n`));
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (o.reasoning) validateBranching(o.branching);
  const siblings = o.siblings ?? [];
  const gloveFile = siblingWordVectors(siblings, o.wordVectors);
  // Every external part first: a dead endpoint or a missing model fails in seconds, before training.
  await preflight({
    out: o.out,
    provider: o.reasoning ? o.provider : undefined,
    wordVectors: o.reasoning ? o.wordVectors : undefined,
  });
  const budget = o.quick ? QUICK_BUDGET : MAIN_BUDGET;
  const timer = createStageTimer({ log });
  const stage: StageHook = timer.stage;
  const maxUsers = o.maxUsers ?? budget.maxUsers;
  const prepared = await stage('user sample', () =>
    sampleUsers(o.prepared, { maxUsers, seed: o.seed }),
  );
  const { sample } = prepared;
  const provider = o.reasoning ? await createProvider(o.provider) : undefined;
  const providerName = provider?.name ?? 'none';
  const notes: string[] = [];
  if (sample) {
    notes.push(
      `users: a seeded sample of ${sample.users.toLocaleString('en-US')} of ${sample.of.toLocaleString('en-US')} users (--max-users ${maxUsers}${o.quick ? ', the --quick cap' : ''}; full dataset manifest ${shortHash(sample.fromManifest)}, sample manifest ${shortHash(prepared.manifest.hash)})`,
    );
    log(`main job: ${notes[notes.length - 1]}`);
  }
  const scorerAgreement = o.scorerAgreement ?? DEFAULT_AGREEMENT;
  if (o.reasoning)
    notes.push(
      scorerAgreement === 'candidate'
        ? "scorer agreement feature: E1(reason) against E2 of the candidate's text alone (--scorer-agreement candidate, the default), not E2 of history + candidate"
        : 'scorer agreement feature: E1(reason) against E2 of history + candidate (--scorer-agreement history-candidate), one E2 run per candidate per served request',
    );
  let generic: GenericSpace | undefined;
  if (o.reasoning && o.wordVectors) generic = await loadGenericSpace(o.wordVectors);
  else if (o.reasoning)
    notes.push(
      'generic-space row skipped: no word vectors found (set THOUGHTSPACE_WORD_VECTORS to a GloVe .zip/.txt)',
    );
  // The likelihood row needs a language model that scores text (capabilities.logprobs).
  const { likelihood, note } = provider ? likelihoodSelection(provider) : {};
  if (note) notes.push(note);
  const progress = progressWriter({
    out: o.out,
    prepared,
    protocol: o.protocol,
    seed: o.seed,
    provider: providerName,
    command: o.command,
    started,
  });
  try {
    const evaluation = await stage('split + candidates', () =>
      evaluationStage({ prepared, protocol: o.protocol, seed: o.seed }),
    );
    const rows: RunRow[] = await stage('baselines', () =>
      baselineStage({ evaluation, seed: o.seed, resamples: o.resamples }),
    );
    await progress.write('baselines', rows);
    const sasrec = await stage('sasrec', () =>
      sasrecStage({
        prepared,
        evaluation,
        protocol: o.protocol,
        seed: o.seed,
        resamples: o.resamples,
        budget,
        epochs: o.sasrecEpochs,
        out: o.out,
        log,
      }),
    );
    rows.push(sasrec.row);
    const sasrecSummary = {
      config: sasrec.config,
      bestEpoch: sasrec.sasrec.bestEpoch,
      epochsRun: sasrec.sasrec.epochsRun,
      secondsPerEpoch: sasrec.sasrec.secondsPerEpoch,
    };
    await progress.write('sasrec', rows, { sasrec: sasrecSummary });

    let siblingsSummary: Record<string, unknown> | undefined;
    if (siblings.length > 0) {
      const s = await siblingsStage({
        siblings,
        prepared,
        evaluation,
        protocol: o.protocol,
        seed: o.seed,
        resamples: o.resamples,
        quick: o.quick,
        sasrecConfig: sasrec.config,
        gloveFile,
        log,
      });
      rows.push(...s.rows);
      siblingsSummary = s.summary;
      await progress.write('siblings', rows, { sasrec: sasrecSummary, siblings: siblingsSummary });
    }

    let reasoning: ReasoningResult | undefined;
    if (provider) {
      const phaseOne = o.trainOn && {
        dataset: o.trainOn.dataset,
        loo: leaveOneOut(o.trainOn.dataset),
        name: `${o.trainOn.name} (manifest ${shortHash(o.trainOn.manifest.hash)})`,
      };
      const reasoningRows: RunRow[] = [];
      reasoning = await runReasoning({
        phaseOne,
        dataset: prepared.dataset,
        datasetHash: prepared.manifest.hash,
        loo: evaluation.loo,
        protocol: o.protocol,
        seed: o.seed,
        testSet: evaluation.testSet,
        sasrec: sasrec.sasrec,
        reasons: inProcessReasons(provider),
        provider: provider.name,
        branching: o.branching,
        scorerAgreement,
        encoderConfig: { epochs: budget.encoderEpochs },
        generic,
        likelihood,
        variants: VARIANTS,
        resamples: o.resamples,
        log,
        stage,
        onServable: async ({ space, scorer, validSet }) => {
          // Skipped for cross-domain Phase I: the encoder's catalogue would not be this dataset's.
          if (o.trainOn) return;
          const bundle = await servingBundleStage({
            out: o.out,
            dataset: prepared.dataset,
            datasetName: prepared.manifest.name,
            manifestHash: prepared.manifest.hash,
            loo: evaluation.loo,
            validSet,
            seed: o.seed,
            provider: provider.name,
            sasrec: sasrec.sasrec,
            space,
            scorer,
            agreement: scorerAgreement,
          });
          log(
            `wrote the servable bundle ${join(o.out, 'serving')} (${Object.keys(bundle.models).join(', ')}); serve it with: thoughtspace up --run ${o.out}`,
          );
        },
        onRun: async (run, { variant, testLogits }) => {
          // The served variant's test predictions: what `thoughtspace eval`
          // and the evaluator's Compare (the agent's promotion) read.
          if (variant === 'thought-space')
            await writePredictions({
              file: join(o.out, PREDICTIONS_FILE),
              set: evaluation.testSet,
              dataset: prepared.dataset,
              logits: testLogits,
              method: run.method,
            });
          reasoningRows.push({ name: run.method, provider: providerName, report: run.report, run });
          await progress.write(`reasoning: ${run.method}`, [...rows, ...reasoningRows], {
            sasrec: sasrecSummary,
          });
        },
      });
      for (const { run } of reasoning.runs)
        rows.push({ name: run.method, provider: providerName, report: run.report, run });
    }
    await sasrec.sasrec.trainer.dispose();

    // Both canaries in the main job: label permutation (above) and data invariance (here).
    let canaries: CanariesBlock | undefined;
    if (reasoning && provider) {
      canaries = { labelPermutation: labelCanaryBlock(canaryOf(reasoning)) };
      if (o.invarianceCanary !== false) {
        // A timed stage like the others (bench/scale.ts judges its growth with users).
        canaries.dataInvariance = await stage('reasoning: invariance canary', () =>
          invarianceCanaryStage({
            dataset: prepared.dataset,
            datasetHash: prepared.manifest.hash,
            candidates: evaluation.testSet.candidates,
            protocol: o.protocol,
            seed: o.seed,
            reasons: inProcessReasons(provider),
            provider: provider.name,
            branching: o.branching,
            agreement: scorerAgreement,
            log,
          }),
        );
        await progress.write('invariance canary', rows, { sasrec: sasrecSummary, canaries });
      } else notes.push('data-invariance canary skipped (--no-invariance-canary)');
    }

    log(
      `paired tests against ${REFERENCE} (${o.resamples} bootstrap resamples, 2,000 permutations) ...`,
    );
    const results = await stage('paired tests + results', () =>
      resultsStage({
        rows,
        reference: sasrec.row,
        prepared,
        protocol: o.protocol,
        seed: o.seed,
        resamples: o.resamples,
        command: o.command,
      }),
    );
    // The comparisons the method's claims rest on, paired on the same users.
    const comparisons = await stage('key comparisons', () =>
      comparisonStage({ rows, seed: o.seed, resamples: o.resamples }),
    );
    await outputStage({
      out: o.out,
      prepared,
      protocol: o.protocol,
      seed: o.seed,
      resamples: o.resamples,
      command: o.command,
      provider: providerName,
      evaluation,
      rows,
      results,
      comparisons,
      reasoning,
      canaries,
      sasrec: {
        trained: sasrec.sasrec,
        config: sasrec.config,
        learningCurve: sasrec.learningCurve,
      },
      branching: o.branching,
      siblings: siblingsSummary,
      notes,
      usage: () => ({
        ...usage(started),
        ...(sample && { userSample: { ...sample, sampleManifest: prepared.manifest.hash } }),
        stages: timer.records,
      }),
      say,
    });
  } finally {
    await provider?.dispose();
    await timer.dispose();
  }
  say(
    `\nwrote ${o.out}/results.json, report.md, metrics.svg, learning-curve.svg in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
}

function canaryOf(r: ReasoningResult) {
  return {
    method: r.canary.run.method,
    chance: r.canary.chance,
    metrics: r.canary.run.report.metrics,
  };
}

/**
 * The main table over several seeds: one full main job per seed into
 * `<out>/seed-<s>/`, then `<out>/seeds.json` with mean ± sd of every method
 * and paired delta and Holm-adjusted p-values (seeds.ts).
 */
export async function runMainJobSeeds(
  o: MainJobOptions & { seeds: readonly number[] },
): Promise<void> {
  const say = o.say ?? ((line = '') => process.stdout.write(`${line}\n`));
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (o.seeds.length === 0 || new Set(o.seeds).size !== o.seeds.length)
    throw new InvalidArgumentError(
      `--seeds: give distinct seeds, e.g. 1,2,3,4,5; got ${o.seeds.join(',')}`,
    );
  for (const [i, seed] of o.seeds.entries()) {
    log(`seed ${seed} (${i + 1} of ${o.seeds.length}) ...`);
    await runMainJob({ ...o, seed, out: join(o.out, `seed-${seed}`) });
  }
  const table = await writeSeedTable({ out: o.out, seeds: o.seeds, command: o.command });
  const pm = (x: { mean: number; sd: number }) => `${x.mean.toFixed(4)} ± ${x.sd.toFixed(4)}`;
  say(`\nover seeds ${o.seeds.join(', ')} (mean ± sd over seeds):`);
  say(
    alignColumns([
      ['method', 'HR@1', 'NDCG@10', 'MRR'],
      ...table.methods.map((m) => [
        m.method,
        pm(m.metrics['HR@1']),
        pm(m.metrics['NDCG@10']),
        pm(m.metrics['MRR']),
      ]),
    ]),
  );
  if (table.comparisons.length > 0) {
    const cell = (t: { difference: { mean: number; sd: number }; pHolmMax: number }) =>
      `${t.difference.mean >= 0 ? '+' : ''}${pm(t.difference)} (Holm p ≤ ${t.pHolmMax.toFixed(4)})`;
    say('\npaired deltas (mean ± sd over seeds; largest Holm-adjusted p over seeds):');
    say(
      alignColumns([
        ['comparison', 'ΔHR@1', 'ΔNDCG@10', 'ΔMRR'],
        ...table.comparisons.map((c) => [
          `${c.method} vs ${c.versus}`,
          cell(c.metrics['HR@1']),
          cell(c.metrics['NDCG@10']),
          cell(c.metrics['MRR']),
        ]),
      ]),
    );
  }
  say(`\nwrote ${join(o.out, 'seeds.json')}`);
}
