import { Option, type Command } from 'commander';
import {
  buildFullRankingSet,
  evaluateBatched,
  evaluateFullRankingBatched,
} from '@thoughtspace/baselines';
import { SasrecModel } from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  formatProtocol,
  leaveOneOut,
  parseProtocol,
  shortHash,
} from '@thoughtspace/data';
import { formatMetricTable } from '@thoughtspace/metrics';
import { FailedPreconditionError } from '@thoughtspace/runtime';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { loadDataset } from '../load';
import { commandLine, say, writeJson } from '../output';
import { methodResult } from '@thoughtspace/pipeline';

interface EvalSasrecFlags extends DatasetFlags {
  model: string;
  protocol: string;
  split: 'valid' | 'test';
  seed: number;
  resamples: number;
  threads: number;
  out?: string;
}

export function registerEvalSasrec(evalCommand: Command): void {
  const cmd = evalCommand
    .command('sasrec')
    .description('evaluate a trained SASRec model directory on a dataset split')
    .requiredOption('--model <dir>', 'model directory written by `thoughtspace train sasrec`')
    .requiredOption('--dataset <name|dir>', 'the dataset the model was trained on')
    .option('--protocol <p>', 'sampled:N or full', 'sampled:100')
    .addOption(
      new Option('--split <split>', 'split to evaluate').choices(['valid', 'test']).default('test'),
    )
    .option('--seed <n>', 'seed for candidate sampling and bootstrap', intArg('--seed'), 1)
    .option('--resamples <n>', 'bootstrap resamples for the CIs', intArg('--resamples', 10), 1000)
    .option('--threads <n>', 'onnxruntime intra-op threads', intArg('--threads', 1), 2)
    .option('--out <file>', 'write the result JSON here');
  for (const o of datasetOptions()) cmd.addOption(o);
  cmd.action(async (flags: EvalSasrecFlags) => {
    const protocol = parseProtocol(flags.protocol);
    const { dataset, manifest } = await loadDataset(flags);
    const model = await SasrecModel.load(flags.model, { threads: flags.threads });
    try {
      if (model.manifest.dataset.manifestHash !== manifest.hash) {
        throw new FailedPreconditionError(
          `${flags.model} was trained on ${model.manifest.dataset.name} (manifest ${shortHash(model.manifest.dataset.manifestHash)}), ` +
            `not on ${manifest.name} (manifest ${shortHash(manifest.hash)})`,
        );
      }
      const loo = leaveOneOut(dataset);
      const common = {
        dataset,
        datasetHash: manifest.hash,
        split: flags.split,
        seed: flags.seed,
        loo,
      };
      // Full ranking runs on the engine's batched top-k, without candidate lists.
      const run =
        protocol.kind === 'full'
          ? await evaluateFullRankingBatched(
              buildFullRankingSet(common),
              'sasrec',
              async (cases) =>
                model.rankTargets(
                  await model.userEmbeddings(cases.map((c) => c.history)),
                  cases.map((c) => c.target),
                  cases.map((c) => c.touched),
                  { silent: true },
                ),
              { resamples: flags.resamples, batchSize: 2048 },
            )
          : await evaluateBatched(
              buildEvaluationSet({ ...common, protocol }),
              'sasrec',
              async (cases) => {
                const emb = await model.userEmbeddings(cases.map((c) => c.history));
                return cases.map((c, i) => model.scoreWithEmbedding(emb, i, c.candidates));
              },
              { resamples: flags.resamples, batchSize: 512 },
            );
      say(
        `${manifest.name} (manifest ${shortHash(manifest.hash)}), split ${flags.split}, protocol ${formatProtocol(protocol)}, seed ${flags.seed}, 95% bootstrap CIs over users`,
      );
      say(formatMetricTable([{ name: 'sasrec', report: run.report }]));
      if (flags.out) {
        const result = methodResult({
          method: 'sasrec',
          manifest,
          split: flags.split,
          protocol: formatProtocol(protocol),
          seed: flags.seed,
          report: run.report,
          seconds: run.seconds,
          command: commandLine(),
        });
        await writeJson(flags.out, {
          ...result,
          model: {
            dir: flags.model,
            config: model.manifest.config,
            training: model.manifest.training,
          },
        });
        say(`wrote ${flags.out}`);
      }
    } finally {
      await model.dispose();
    }
  });
}
