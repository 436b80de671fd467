import { Option, type Command } from 'commander';
import { DEFAULT_PROTOCOL } from '@thoughtspace/data';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { runMainJob, MAIN_BUDGET, QUICK_BUDGET } from '../pipeline/main-job';
import { PROVIDER_KINDS, type ProviderFlags } from '../pipeline/provider';

export interface RunFlags extends DatasetFlags, ProviderFlags {
  out: string;
  protocol: string;
  seed: number;
  resamples: number;
  quick?: boolean;
  sasrecEpochs?: number;
  branching: string;
  reasoning: boolean;
  trainOn?: string;
  testOn?: string;
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
    .option('--resamples <n>', 'bootstrap resamples for the CIs', intArg('--resamples', 10), 1000)
    .option(
      '--quick',
      `CI-sized run (SASRec ${QUICK_BUDGET.sasrec.epochs} epochs, encoder ${QUICK_BUDGET.encoderEpochs} epochs)`,
    )
    .option(
      '--sasrec-epochs <n>',
      `maximum SASRec epochs (default ${MAIN_BUDGET.sasrec.epochs}, early stopping on validation NDCG@10)`,
      intArg('--sasrec-epochs', 1),
    )
    .option('--branching <b1,b2>', 'tree branching per level (depth = number of levels)', '2,3')
    .option('--no-reasoning', 'stop after the baselines and SASRec')
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
      '--fallback-embedded',
      'if the language-model provider fails, answer with the embedded composer (recorded in the report)',
    );
  for (const o of datasetOptions()) cmd.addOption(o);
  cmd.action((flags: RunFlags) =>
    runMainJob(flags.testOn ? { ...flags, dataset: flags.testOn } : flags),
  );
}
