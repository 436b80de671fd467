import { diag } from '../diagnostics';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_PROTOCOL, parseProtocol } from '@thoughtspace/data';
import { setProcessThreads } from '@thoughtspace/engine';
import {
  MAIN_BUDGET,
  parseSiblings,
  preflight,
  QUICK_BUDGET,
  runMainJob,
  runMainJobSeeds,
  type MainJobOptions,
} from '@thoughtspace/pipeline';
import { PROVIDER_KINDS, type ProviderOptions } from '@thoughtspace/rationale-gen';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { AGREEMENT_FEATURES, DEFAULT_AGREEMENT, type AgreementFeature } from '@thoughtspace/scorer';
import { loadDataset } from '../load';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { commandLine } from '../output';

export interface ProviderFlags {
  provider: (typeof PROVIDER_KINDS)[number];
  gguf?: string;
  openaiBaseUrl?: string;
  openaiModel?: string;
  fallbackEmbedded?: boolean;
  promptItems?: number;
}

export interface RunFlags extends DatasetFlags, ProviderFlags {
  out: string;
  protocol: string;
  seed: number;
  seeds?: string;
  resamples: number;
  quick?: boolean;
  maxUsers?: number;
  sasrecEpochs?: number;
  threads?: number;
  scorerAgreement?: AgreementFeature;
  branching: string;
  reasoning: boolean;
  invarianceCanary: boolean;
  trainOn?: string;
  testOn?: string;
  siblings?: string;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      'the main job: prepare the dataset, run the baselines, SASRec and the Thought-Space pipeline (rationales, encoder, tree selection, scorer) in one process; writes results.json, report.md and plots',
    )
    .option('--dataset <name|dir>', 'a preset name or a folder', 'luxury-beauty-2018')
    .option('--out <dir>', 'output folder', 'runs/main')
    .option(
      '--protocol <p>',
      'sampled:N (the reasoning stages need a fixed candidate count)',
      DEFAULT_PROTOCOL,
    )
    .option('--seed <n>', 'seed for sampling, training and bootstrap', intArg('--seed'), 1)
    .option(
      '--seeds <list>',
      'run the whole job once per seed (e.g. 1,2,3,4,5) into <out>/seed-<s>/ and write <out>/seeds.json: mean ± sd over seeds, Holm-adjusted p-values',
    )
    .option('--resamples <n>', 'bootstrap resamples for the CIs', intArg('--resamples', 10), 1000)
    .option(
      '--quick',
      `CI-sized run (SASRec ${QUICK_BUDGET.sasrec.epochs} epochs, encoder ${QUICK_BUDGET.encoderEpochs} epochs, at most ${QUICK_BUDGET.maxUsers.toLocaleString('en-US')} users)`,
    )
    .option(
      '--max-users <n>',
      `cap on users: the job runs on a seeded sample of at most n users, reported in the table and results.json (default ${QUICK_BUDGET.maxUsers.toLocaleString('en-US')} with --quick, else no cap; 0 = no cap)`,
      intArg('--max-users'),
    )
    .option(
      '--sasrec-epochs <n>',
      `maximum SASRec epochs (default ${MAIN_BUDGET.sasrec.epochs}, early stopping on validation NDCG@10)`,
      intArg('--sasrec-epochs', 1),
    )
    .option(
      '--threads <n>',
      'onnxruntime intra-op threads for every model this run trains and runs (default: each model its own, 2); --threads 1 makes runs with the same seed bit-reproducible',
      intArg('--threads', 1),
    )
    .addOption(
      new Option(
        '--scorer-agreement <kind>',
        "the scorer's reason feature: E1(reason) against E2 of the candidate's text alone (no E2 run per served request), or of history + candidate (docs/decisions/0019, 0027)",
      )
        .choices([...AGREEMENT_FEATURES])
        .default(DEFAULT_AGREEMENT),
    )
    .option('--branching <b1,b2>', 'tree branching per level (depth = number of levels)', '2,3')
    .option('--no-reasoning', 'stop after the baselines and SASRec')
    .option(
      '--siblings <list>',
      'add sibling methods as rows of the main table (same test set, CIs, paired tests against SASRec): coderrec,reaemb,gru4rec; default none',
    )
    .option(
      '--no-invariance-canary',
      'skip the data-invariance canary stage (test targets replaced, test path rebuilt on a sample of users)',
    )
    .option(
      '--train-on <name|dir>',
      "cross-domain: train the Thought Space on this dataset's rationales",
    )
    .option(
      '--test-on <name|dir>',
      'cross-domain: the dataset everything else runs and is evaluated on (same as --dataset)',
    )
    .addOption(
      new Option('--provider <kind>', 'rationale provider')
        .choices([...PROVIDER_KINDS])
        .default('embedded'),
    )
    .option('--gguf <path>', 'GGUF model for --provider llama-cpp')
    .option(
      '--openai-base-url <url>',
      'OpenAI-compatible endpoint for --provider openai (e.g. http://vllm:8000/v1)',
    )
    .option('--openai-model <name>', 'model name for --provider openai')
    .option(
      '--prompt-items <n>',
      "history and similar users' items in a language model's prompts (default 20 and 10; lower it for small-context models)",
      intArg('--prompt-items', 1),
    )
    .option(
      '--fallback-embedded',
      'if the language-model provider fails, answer with the embedded composer (recorded in the report)',
    );
  for (const o of datasetOptions()) cmd.addOption(o);
  cmd.action(async (flags: RunFlags) => {
    if (flags.threads !== undefined) setProcessThreads(flags.threads);
    // The main job's progress notes are diagnostics: through the CLI's logger (LOG_LEVEL, LOG_FORMAT).
    const options = { ...(await mainJobOptions(flags)), log: (line: string) => diag.info(line) };
    if (flags.seeds === undefined) return runMainJob(options);
    return runMainJobSeeds({ ...options, seeds: parseSeeds(flags.seeds) });
  });
}

/** The flags of `run` as the main job's options (loading the datasets they name). */
export async function mainJobOptions(flags: RunFlags): Promise<MainJobOptions> {
  const dataFlags = flags.testOn ? { ...flags, dataset: flags.testOn } : flags;
  const protocol = parseProtocol(flags.protocol);
  const branching = parseBranching(flags.branching);
  const siblings = parseSiblings(flags.siblings);
  const provider = providerOptions(flags, join(flags.out, 'rationale-cache'));
  const vectors = wordVectors();
  // Unwritable --out, missing files, a dead endpoint: fail here, before reading or training.
  await preflight({
    out: flags.out,
    provider: flags.reasoning ? provider : undefined,
    wordVectors: flags.reasoning ? vectors : undefined,
  });
  const prepared = await loadDataset(dataFlags);
  const trainOn =
    flags.reasoning && flags.trainOn
      ? await loadDataset({ ...dataFlags, dataset: flags.trainOn })
      : undefined;
  return {
    prepared,
    trainOn,
    out: flags.out,
    protocol,
    seed: flags.seed,
    resamples: flags.resamples,
    quick: flags.quick,
    maxUsers: flags.maxUsers,
    sasrecEpochs: flags.sasrecEpochs,
    branching,
    siblings,
    scorerAgreement: flags.scorerAgreement,
    reasoning: flags.reasoning,
    invarianceCanary: flags.invarianceCanary,
    provider,
    wordVectors: vectors,
    command: commandLine(),
  };
}

function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((x) => Number(x.trim()));
  if (seeds.length === 0 || seeds.some((x) => !Number.isInteger(x) || x < 0))
    throw new InvalidArgumentError(`--seeds must look like "1,2,3,4,5", got "${text}"`);
  return seeds;
}

function parseBranching(text: string): number[] {
  const b = text.split(',').map(Number);
  if (b.some((x) => !Number.isInteger(x) || x < 1))
    throw new InvalidArgumentError(`--branching must look like "2,3", got "${text}"`);
  return b;
}

/**
 * rationale-gen's provider options from the flags. Language-model providers
 * get a persistent cache under the run folder so a rerun skips generation.
 */
export function providerOptions(flags: ProviderFlags, cacheDir: string): ProviderOptions {
  switch (flags.provider) {
    case 'embedded':
      return { kind: 'embedded' };
    case 'llama-cpp':
      if (!flags.gguf)
        throw new InvalidArgumentError('--provider llama-cpp needs --gguf <path to a .gguf model>');
      return { kind: 'llama-cpp', modelPath: flags.gguf, cacheDir, ...promptLimits(flags) };
    case 'openai':
      if (!flags.openaiBaseUrl || !flags.openaiModel)
        throw new InvalidArgumentError(
          '--provider openai needs --openai-base-url and --openai-model (API key from OPENAI_API_KEY)',
        );
      return {
        kind: 'openai',
        baseURL: flags.openaiBaseUrl,
        model: flags.openaiModel,
        apiKey: process.env.OPENAI_API_KEY,
        fallback: flags.fallbackEmbedded ? 'embedded' : undefined,
        cacheDir,
        ...promptLimits(flags),
      };
  }
}

function promptLimits(flags: ProviderFlags) {
  const n = flags.promptItems;
  return n === undefined ? {} : { promptLimits: { maxItems: n, maxSimilarItems: n } };
}

/** GloVe for the generic-semantic ablation: THOUGHTSPACE_WORD_VECTORS, else ../shared/models. */
function wordVectors(): string | undefined {
  return [
    process.env.THOUGHTSPACE_WORD_VECTORS ?? '',
    resolve(
      __dirname,
      '..',
      '..',
      '..',
      '..',
      '..',
      'shared',
      'models',
      'glove-6B-50d-10k',
      'glove.6B.50d.10k.zip',
    ),
  ].find((p) => p && existsSync(p));
}
