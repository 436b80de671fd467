import { diag } from '../diagnostics';
import { Option, type Command } from 'commander';
import { leaveOneOut, ReadContext, shortHash } from '@thoughtspace/data';
import {
  formatMetricTable,
  parsePrediction,
  rankOfTarget,
  reportFromRanks,
  type Prediction,
} from '@thoughtspace/metrics';
import { InvalidArgumentError, describeError } from '@thoughtspace/runtime';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { loadDataset } from '../load';
import { commandLine, say, writeJson } from '../output';
import { registerEvalSasrec } from './eval-sasrec';

interface EvalFlags extends Partial<DatasetFlags> {
  predictions: string;
  split: 'valid' | 'test';
  seed: number;
  resamples: number;
  name: string;
  out?: string;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description(
      'evaluate a predictions file: JSON lines {"user", "candidates": [ids], "scores": [numbers], "target"?}; ' +
        'lines without "target" need --dataset to look the split\'s ground truth up',
    )
    .option('--predictions <file>', 'predictions, JSON lines (.jsonl or .jsonl.gz)')
    .option('--dataset <name|dir>', 'dataset whose split supplies missing targets')
    .addOption(
      new Option('--split <split>', 'split the targets come from')
        .choices(['valid', 'test'])
        .default('test'),
    )
    .option('--seed <n>', 'bootstrap seed', intArg('--seed'), 1)
    .option('--resamples <n>', 'bootstrap resamples for the CIs', intArg('--resamples', 10), 1000)
    .option('--name <method>', 'method name for the table', 'predictions')
    .option('--out <file>', 'write the result JSON here');
  for (const o of datasetOptions()) cmd.addOption(o);
  registerEvalSasrec(cmd);
  cmd.action(async (flags: EvalFlags) => {
    if (!flags.predictions)
      throw new InvalidArgumentError(
        'eval needs --predictions <file> (or a subcommand: eval sasrec)',
      );
    const targets = flags.dataset ? await targetsFor(flags as EvalFlags & DatasetFlags) : undefined;
    const ctx = new ReadContext({ strict: flags.strict });
    const ranks: number[] = [];
    const seen = new Set<string>();
    await ctx.eachLine(flags.predictions, (line) => {
      let p: Prediction;
      try {
        p = parsePrediction(JSON.parse(line));
      } catch (err) {
        return describeError(err);
      }
      if (seen.has(p.user)) return `user ${p.user} appears more than once`;
      const target = p.target ?? targets?.ids.get(p.user);
      if (target === undefined) {
        return targets
          ? `user ${p.user} has no ${flags.split} case in ${targets.name}`
          : 'no "target" field and no --dataset given';
      }
      const index = p.candidates.indexOf(target);
      if (index < 0) return `ground truth ${target} is not among the candidates`;
      seen.add(p.user);
      ranks.push(rankOfTarget(p.scores, index));
    });
    const read = ctx.report();
    if (ranks.length === 0) {
      throw new InvalidArgumentError(
        `${flags.predictions}: no usable predictions (${read.malformed} malformed of ${read.lines} lines)`,
      );
    }
    const report = reportFromRanks(ranks, { seed: flags.seed, resamples: flags.resamples });
    say(formatMetricTable([{ name: flags.name, report }]));
    if (read.malformed > 0) {
      say(
        `malformed lines: ${read.malformed} of ${read.lines} (skipped; --strict makes them fatal)`,
      );
      for (const s of read.malformedSamples) say(`  ${s.file}:${s.line}: ${s.reason}`);
    }
    if (targets && ranks.length < targets.ids.size) {
      say(
        `note: ${targets.ids.size - ranks.length} users of the ${flags.split} split have no prediction`,
      );
    }
    if (flags.out) {
      await writeJson(flags.out, {
        method: flags.name,
        predictions: {
          path: flags.predictions,
          sha256: read.files[0]?.sha256,
          lines: read.lines,
          malformed: read.malformed,
        },
        dataset: targets
          ? { name: targets.name, manifestHash: targets.hash, split: flags.split }
          : undefined,
        cases: report.cases,
        metrics: report.metrics,
        bootstrap: report.bootstrap,
        command: commandLine(),
        createdAt: new Date().toISOString(),
      });
      say(`wrote ${flags.out}`);
    }
  });
}

async function targetsFor(
  flags: EvalFlags & DatasetFlags,
): Promise<{ name: string; hash: string; ids: Map<string, string> }> {
  const { dataset, manifest } = await loadDataset(flags);
  const loo = leaveOneOut(dataset);
  const cases = flags.split === 'test' ? loo.test : loo.valid;
  const ids = new Map(cases.map((c) => [dataset.userIds[c.user], dataset.itemIds[c.target]]));
  diag.info(
    `targets from ${manifest.name} (manifest ${shortHash(manifest.hash)}), split ${flags.split}`,
  );
  return { name: manifest.name, hash: manifest.hash, ids };
}
