import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BASELINES, createBaseline, evaluateScorer, type ScorerRun } from '@thoughtspace/baselines';
import {
  buildEvaluationSet,
  DEFAULT_PROTOCOL,
  formatProtocol,
  leaveOneOut,
  parseProtocol,
  sequencesBefore,
  shortHash,
} from '@thoughtspace/data';
import {
  compareRanks,
  formatMetricMarkdown,
  formatMetricTable,
  METRICS,
} from '@thoughtspace/metrics';
import { barChart } from '@thoughtspace/report';
import {
  evaluateSasrec,
  trainSasrec,
  validateConfig,
  writeLearningCurve,
} from '@thoughtspace/candidate-gen';
import { datasetOptions, intArg, type DatasetFlags } from '../options';
import { loadDataset } from '../load';
import { commandLine, say, writeJson } from '../output';
import { methodResult, type MethodResult } from '../results';

interface RunFlags extends DatasetFlags {
  out: string;
  protocol: string;
  seed: number;
  resamples: number;
  quick?: boolean;
  sasrecEpochs?: number;
}

/** The reference every other row is paired against. */
const REFERENCE = 'sasrec';

/** SASRec budget of the main job: the paper's architecture, fewer epochs, early stopping. */
const MAIN_SASREC = { epochs: 60, evalEvery: 5, patience: 3 };
const QUICK_SASREC = { epochs: 6, evalEvery: 3, patience: 0 };

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      'the main job: prepare the dataset and evaluate every available method in one process, writing results.json, report.md and plots',
    )
    .option('--dataset <name|dir>', 'a preset name or a folder', 'luxury-beauty-2018')
    .option('--out <dir>', 'output folder', 'runs/main')
    .option('--protocol <p>', 'sampled:N or full', DEFAULT_PROTOCOL)
    .option('--seed <n>', 'seed for sampling and bootstrap', intArg('--seed'), 1)
    .option('--resamples <n>', 'bootstrap resamples for the CIs', intArg('--resamples', 10), 1000)
    .option('--quick', `CI-sized run: SASRec for ${QUICK_SASREC.epochs} epochs`)
    .option(
      '--sasrec-epochs <n>',
      `maximum SASRec epochs (default ${MAIN_SASREC.epochs}, early stopping on validation NDCG@10)`,
      intArg('--sasrec-epochs', 1),
    );
  for (const o of datasetOptions()) cmd.addOption(o);
  cmd.action(async (flags: RunFlags) => {
    const started = performance.now();
    const protocol = parseProtocol(flags.protocol);
    await mkdir(flags.out, { recursive: true });
    const { dataset, manifest } = await loadDataset(flags);
    const loo = leaveOneOut(dataset);
    const set = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'test',
      protocol,
      seed: flags.seed,
      loo,
    });
    const fit = { sequences: sequencesBefore(loo, 'test'), numItems: dataset.itemIds.length };

    const runs: ScorerRun[] = BASELINES.map((name) =>
      evaluateScorer(set, createBaseline(name, fit, flags.seed), { resamples: flags.resamples }),
    );
    const budget = flags.quick ? QUICK_SASREC : MAIN_SASREC;
    const sasrecConfig = validateConfig({
      ...budget,
      epochs: flags.sasrecEpochs ?? budget.epochs,
      seed: flags.seed,
    });
    process.stderr.write(
      `training SASRec (paper settings, up to ${sasrecConfig.epochs} epochs, validation ${formatProtocol(protocol)}) ...\n`,
    );
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config: sasrecConfig,
      validProtocol: protocol,
    });
    runs.push(
      await evaluateSasrec(trained.trainer, trained.model, sasrecConfig, set, {
        resamples: flags.resamples,
      }),
    );
    await writeLearningCurve(
      flags.out,
      trained.curve,
      `${manifest.name} (manifest ${shortHash(manifest.hash)}), seed ${flags.seed}`,
    );
    await trained.trainer.dispose();
    const reference = runs.find((r) => r.method === REFERENCE) as ScorerRun;
    process.stderr.write(
      `paired tests against ${REFERENCE} (${flags.resamples} bootstrap resamples, 2,000 permutations) ...\n`,
    );
    const command = commandLine();
    const results: MethodResult[] = runs.map((r) =>
      methodResult({
        method: r.method,
        manifest,
        split: 'test',
        protocol: formatProtocol(protocol),
        seed: flags.seed,
        report: r.report,
        seconds: r.seconds,
        command,
        versus:
          r === reference
            ? undefined
            : {
                method: REFERENCE,
                tests: compareRanks(r.ranks, reference.ranks, {
                  seed: flags.seed,
                  resamples: flags.resamples,
                }),
              },
      }),
    );

    const header = `${manifest.name} (manifest ${shortHash(manifest.hash)}), test split, protocol ${formatProtocol(protocol)}, seed ${flags.seed}, provider none`;
    const rows = runs.map((r) => ({ name: r.method, report: r.report }));
    say('');
    say(header);
    say(formatMetricTable(rows));
    say(
      `\nchance HR@1 for this protocol: ${(1 / (set.candidates[0]?.items.length ?? 1)).toFixed(4)}`,
    );

    await writeJson(join(flags.out, 'results.json'), {
      dataset: {
        name: manifest.name,
        manifestHash: manifest.hash,
        counts: manifest.report.final,
        options: manifest.options,
      },
      protocol: formatProtocol(protocol),
      seed: flags.seed,
      command,
      methods: results,
      sasrec: {
        config: sasrecConfig,
        bestEpoch: trained.bestEpoch,
        epochsRun: trained.epochsRun,
        secondsPerEpoch: trained.secondsPerEpoch,
      },
      notYetAvailable: [
        'thought-space pipeline: rationale-gen, encoder, tot-selector, scorer (issue 5)',
      ],
    });
    const chart = barChart({
      title: `${manifest.name}: test metrics (${formatProtocol(protocol)})`,
      subtitle: `manifest ${shortHash(manifest.hash)}, seed ${flags.seed}, 95% bootstrap CIs over ${set.cases.length} users`,
      groups: METRICS.map((m) => ({
        label: m,
        values: runs.map((r) => ({
          series: r.method,
          value: r.report.metrics[m].mean,
          low: r.report.metrics[m].low,
          high: r.report.metrics[m].high,
        })),
      })),
    });
    await writeFile(join(flags.out, 'metrics.svg'), chart);
    await writeFile(join(flags.out, 'report.md'), renderReport(header, rows, results, command));
    say(
      `\nwrote ${flags.out}/results.json, report.md, metrics.svg, learning-curve.svg in ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );
  });
}

function renderReport(
  header: string,
  rows: Parameters<typeof formatMetricMarkdown>[0],
  results: MethodResult[],
  command: string,
): string {
  const paired = results
    .filter((r) => r.versus)
    .map((r) => {
      const t = r.versus?.tests;
      const cell = (m: (typeof METRICS)[number]) =>
        t
          ? `${t[m].difference.mean >= 0 ? '+' : ''}${t[m].difference.mean.toFixed(4)} (p=${t[m].pValue.toFixed(4)})`
          : '';
      return `| ${r.method} vs ${r.versus?.method} | ${METRICS.map(cell).join(' | ')} |`;
    });
  return [
    '# thoughtspace run',
    '',
    header,
    '',
    `Command: \`${command}\``,
    '',
    formatMetricMarkdown(rows),
    '',
    '![metrics](metrics.svg)',
    '',
    '![SASRec learning curve](learning-curve.svg)',
    '',
    '## Paired tests (difference of means, randomization p-value)',
    '',
    `| comparison | ${METRICS.join(' | ')} |`,
    `|${' --- |'.repeat(METRICS.length + 1)}`,
    ...paired,
    '',
  ].join('\n');
}
