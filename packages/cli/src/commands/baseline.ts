import { Argument, Option, type Command } from 'commander';
import {
  BASELINES,
  buildFullRankingSet,
  createBaseline,
  evaluateFullRanking,
  evaluateScorer,
} from '@thoughtspace/baselines';
import {
  buildEvaluationSet,
  DEFAULT_PROTOCOL,
  formatProtocol,
  leaveOneOut,
  parseProtocol,
  sequencesBefore,
  shortHash,
} from '@thoughtspace/data';
import { formatMetricTable } from '@thoughtspace/metrics';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { loadDataset } from '../load';
import { commandLine, say, writeJson } from '../output';
import { methodResult } from '@thoughtspace/pipeline';

interface BaselineFlags extends DatasetFlags {
  protocol: string;
  seed: number;
  split: 'valid' | 'test';
  resamples: number;
  out?: string;
}

export function registerBaseline(program: Command): void {
  const cmd = program
    .command('baseline')
    .description(
      'evaluate a protocol-validating baseline: random, pop (train counts) or markov (item-to-item transitions)',
    )
    .addArgument(new Argument('<name>', 'baseline').choices([...BASELINES]))
    .requiredOption('--dataset <name|dir>', 'a preset name or a folder')
    .option('--protocol <p>', 'sampled:N (1 target + N negatives) or full', DEFAULT_PROTOCOL)
    .option('--seed <n>', 'seed for candidate sampling and bootstrap', intArg('--seed'), 1)
    .addOption(
      new Option('--split <split>', 'split to evaluate').choices(['valid', 'test']).default('test'),
    )
    .option('--resamples <n>', 'bootstrap resamples for the CIs', intArg('--resamples', 10), 1000)
    .option('--out <file>', 'write the result JSON here');
  for (const o of datasetOptions()) cmd.addOption(o);
  cmd.action(async (name: string, flags: BaselineFlags) => {
    const protocol = parseProtocol(flags.protocol);
    const { dataset, manifest } = await loadDataset(flags);
    const loo = leaveOneOut(dataset);
    const fit = { sequences: sequencesBefore(loo, flags.split), numItems: dataset.itemIds.length };
    const common = {
      dataset,
      datasetHash: manifest.hash,
      split: flags.split,
      seed: flags.seed,
      loo,
    };
    const scorer = createBaseline(name, fit, flags.seed);
    // Full ranking never spells out users x items candidate lists.
    const run =
      protocol.kind === 'full'
        ? evaluateFullRanking(buildFullRankingSet(common), scorer, { resamples: flags.resamples })
        : evaluateScorer(buildEvaluationSet({ ...common, protocol }), scorer, {
            resamples: flags.resamples,
          });
    const result = methodResult({
      method: scorer.name,
      manifest,
      split: flags.split,
      protocol: formatProtocol(protocol),
      seed: flags.seed,
      report: run.report,
      seconds: run.seconds,
      command: commandLine(),
    });
    say(
      `${manifest.name} (manifest ${shortHash(manifest.hash)}), split ${flags.split}, protocol ${formatProtocol(protocol)}, seed ${flags.seed}, 95% bootstrap CIs over users`,
    );
    say(formatMetricTable([{ name: scorer.name, report: run.report }]));
    if (flags.out) {
      await writeJson(flags.out, result);
      say(`wrote ${flags.out}`);
    }
  });
}
