import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BASELINES, createBaseline, evaluateScorer, type ScorerRun } from '@thoughtspace/baselines';
import {
  evaluateSasrec,
  trainSasrec,
  validateConfig,
  writeLearningCurve,
} from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  formatProtocol,
  leaveOneOut,
  parseProtocol,
  sequencesBefore,
  shortHash,
} from '@thoughtspace/data';
import { alignColumns, compareRanks, formatMetricTable } from '@thoughtspace/metrics';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { renderHtmlReport, renderSvg } from '@thoughtspace/report';
import { loadGenericSpace, type GenericSpace } from '@thoughtspace/tot-selector';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { RunFlags } from '../commands/run';
import { loadDataset } from '../load';
import { commandLine, say, writeJson } from '../output';
import { methodResult, type MethodResult } from '../results';
import { reasonSource, renderBehaviourText } from './adapters';
import { providerFromFlags } from './provider';
import { renderReport, writeMetricsChart, type Row } from './report';
import { runReasoning, type ReasoningResult, type Variant } from './thought-space';

/** Training budgets of the main job (defaults) and of `--quick` (CI). */
export const MAIN_BUDGET = { sasrec: { epochs: 100, evalEvery: 5, patience: 3 }, encoderEpochs: 8 };
export const QUICK_BUDGET = { sasrec: { epochs: 6, evalEvery: 3, patience: 0 }, encoderEpochs: 2 };

const VARIANTS: Variant[] = [
  'no-reason',
  'base-only',
  'random-leaf',
  'thought-space',
  'generic-semantic',
  'log-likelihood',
];
const REFERENCE = 'sasrec';

/** Pairs the honest reading rests on: does a reason help, does the tree help, does the Thought Space select better? */
const KEY_COMPARISONS: [string, string][] = [
  ['scorer, no reason', 'sasrec'],
  ['scorer + base reason', 'scorer, no reason'],
  ['scorer + tree, thought space', 'scorer + base reason'],
  ['scorer + tree, thought space', 'scorer + tree, random leaf'],
  ['scorer + tree, thought space', 'scorer + tree, generic space'],
];

/** GloVe from ../shared/models for the generic-semantic ablation; absent -> that row is skipped and said so. */
function gloveCandidates(): string[] {
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
  ].filter((p) => p && existsSync(p));
}

function parseBranching(text: string): number[] {
  const b = text.split(',').map(Number);
  if (b.some((x) => !Number.isInteger(x) || x < 1))
    throw new InvalidArgumentError(`--branching must look like "2,3", got "${text}"`);
  return b;
}

export async function runMainJob(flags: RunFlags): Promise<void> {
  const started = performance.now();
  const protocol = parseProtocol(flags.protocol);
  const branching = parseBranching(flags.branching);
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
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const budget = flags.quick ? QUICK_BUDGET : MAIN_BUDGET;

  const rows: (Row & { run: ScorerRun })[] = BASELINES.map((name) => {
    const run = evaluateScorer(set, createBaseline(name, fit, flags.seed), {
      resamples: flags.resamples,
    });
    return { name: run.method, provider: 'none', report: run.report, run };
  });

  const sasrecConfig = validateConfig({
    ...budget.sasrec,
    epochs: flags.sasrecEpochs ?? budget.sasrec.epochs,
    seed: flags.seed,
  });
  log(
    `training SASRec (paper architecture, up to ${sasrecConfig.epochs} epochs, validation ${formatProtocol(protocol)}) ...`,
  );
  const sasrec = await trainSasrec({
    dataset,
    datasetHash: manifest.hash,
    loo,
    config: sasrecConfig,
    validProtocol: protocol,
  });
  const sasrecRun = await evaluateSasrec(sasrec.trainer, sasrec.model, sasrecConfig, set, {
    resamples: flags.resamples,
  });
  rows.push({ name: 'sasrec', provider: 'none', report: sasrecRun.report, run: sasrecRun });
  const learningCurve = await writeLearningCurve(
    flags.out,
    sasrec.curve,
    `${manifest.name} (manifest ${shortHash(manifest.hash)}), seed ${flags.seed}`,
  );

  let reasoning: ReasoningResult | undefined;
  let providerName = 'none';
  const notes: string[] = [];
  if (flags.reasoning) {
    const provider = await providerFromFlags(flags, flags.out);
    providerName = provider.name;
    let generic: GenericSpace | undefined;
    const glove = gloveCandidates()[0];
    if (glove) generic = await loadGenericSpace(glove);
    else
      notes.push(
        'generic-space row skipped: no word vectors found (set THOUGHTSPACE_WORD_VECTORS to a GloVe .zip/.txt)',
      );
    let phaseOne: Parameters<typeof runReasoning>[0]['phaseOne'];
    if (flags.trainOn) {
      const other = await loadDataset({ ...flags, dataset: flags.trainOn });
      phaseOne = {
        dataset: other.dataset,
        loo: leaveOneOut(other.dataset),
        name: `${other.name} (manifest ${shortHash(other.manifest.hash)})`,
      };
    }
    try {
      reasoning = await runReasoning({
        phaseOne,
        dataset,
        datasetHash: manifest.hash,
        loo,
        protocol,
        seed: flags.seed,
        testSet: set,
        sasrec,
        source: reasonSource(provider),
        render: renderBehaviourText,
        branching,
        encoderConfig: { epochs: budget.encoderEpochs },
        generic,
        variants: VARIANTS,
        resamples: flags.resamples,
        log,
      });
    } finally {
      await provider.dispose();
    }
    for (const { run } of reasoning.runs)
      rows.push({ name: run.method, provider: providerName, report: run.report, run });
  }
  await sasrec.trainer.dispose();

  log(
    `paired tests against ${REFERENCE} (${flags.resamples} bootstrap resamples, 2,000 permutations) ...`,
  );
  const command = commandLine();
  const reference = sasrecRun;
  const results: MethodResult[] = rows.map((r) =>
    methodResult({
      method: r.name,
      provider: r.provider,
      manifest,
      split: 'test',
      protocol: formatProtocol(protocol),
      seed: flags.seed,
      report: r.report,
      seconds: r.run.seconds,
      command,
      versus:
        r.run === reference
          ? undefined
          : {
              method: REFERENCE,
              tests: compareRanks(r.run.ranks, reference.ranks, {
                seed: flags.seed,
                resamples: flags.resamples,
              }),
            },
    }),
  );

  // The comparisons the method's claims rest on, paired on the same users.
  const byName = new Map(rows.map((r) => [r.name, r.run]));
  const comparisons = KEY_COMPARISONS.filter(([a, b]) => byName.has(a) && byName.has(b)).map(
    ([a, b]) => ({
      a,
      b,
      tests: compareRanks((byName.get(a) as ScorerRun).ranks, (byName.get(b) as ScorerRun).ranks, {
        seed: flags.seed,
        resamples: flags.resamples,
      }),
    }),
  );
  const header = `${manifest.name} (manifest ${shortHash(manifest.hash)}), test split, protocol ${formatProtocol(protocol)}, seed ${flags.seed}, rationale provider ${providerName}`;
  say('');
  say(header);
  say(formatMetricTable(rows.map((r) => ({ name: r.name, report: r.report }))));
  const chance = 1 / (set.candidates[0]?.items.length ?? 1);
  say(`\nchance HR@1 for this protocol: ${chance.toFixed(4)}`);
  const sections: string[] = [];
  if (reasoning) {
    const c = reasoning.canary.run.report.metrics['HR@1'];
    const e = reasoning.encoder;
    say(
      `leakage canary (${reasoning.canary.run.method}): HR@1 ${c.mean.toFixed(4)} [${c.low.toFixed(4)}, ${c.high.toFixed(4)}], chance ${reasoning.canary.chance.toFixed(4)}`,
    );
    say(
      `thought space: held-out recall@1 among 11 ${e.recallAfter.mean.toFixed(3)} [${e.recallAfter.low.toFixed(3)}, ${e.recallAfter.high.toFixed(3)}] after training, ${e.recallBefore.mean.toFixed(3)} before (chance ${e.chance.toFixed(3)})`,
    );
    sections.push(
      '## Leakage canary',
      '',
      `Test labels permuted (each case's label moved to a seeded random candidate) and the whole test-time path re-run: ${reasoning.canary.run.method} HR@1 ${c.mean.toFixed(4)} [${c.low.toFixed(4)}, ${c.high.toFixed(4)}] against chance ${reasoning.canary.chance.toFixed(4)}.`,
      '',
      '## Thought Space (encoder)',
      '',
      `${e.pairs} positive rationales from training targets of ${e.trainedOn} (provider ${providerName}), ${e.heldOutPairs} held-out users. Held-out recall@1 of the true rationale among 11: ${e.recallAfter.mean.toFixed(3)} [${e.recallAfter.low.toFixed(3)}, ${e.recallAfter.high.toFixed(3)}] after training, ${e.recallBefore.mean.toFixed(3)} [${e.recallBefore.low.toFixed(3)}, ${e.recallBefore.high.toFixed(3)}] before (chance ${e.chance.toFixed(3)}); training took ${e.trainSeconds.toFixed(1)} s.`,
      '',
      '![Thought Space projection](thought-space-projection.svg)',
      '',
      `Items without text: ${reasoning.itemsWithoutText} (rendered as their id).`,
      '',
    );
  }
  if (comparisons.length > 0) {
    const cell = (t: (typeof comparisons)[number]['tests'], m: 'HR@1' | 'NDCG@10' | 'MRR') =>
      `${t[m].difference.mean >= 0 ? '+' : ''}${t[m].difference.mean.toFixed(4)} (p=${t[m].pValue.toFixed(4)})`;
    const table = [
      ['comparison', 'ΔHR@1', 'ΔNDCG@10', 'ΔMRR'],
      ...comparisons.map((c) => [
        `${c.a} vs ${c.b}`,
        cell(c.tests, 'HR@1'),
        cell(c.tests, 'NDCG@10'),
        cell(c.tests, 'MRR'),
      ]),
    ];
    say(`\npaired comparisons (same users; randomization p-values):\n${alignColumns(table)}`);
    sections.unshift(
      '## Key comparisons (paired, same users)',
      '',
      '| comparison | ΔHR@1 (p) | ΔNDCG@10 (p) | ΔMRR (p) |',
      '| --- | --- | --- | --- |',
      ...comparisons.map(
        (c) =>
          `| ${c.a} vs ${c.b} | ${cell(c.tests, 'HR@1')} | ${cell(c.tests, 'NDCG@10')} | ${cell(c.tests, 'MRR')} |`,
      ),
      '',
    );
  }
  for (const n of notes) say(`note: ${n}`);

  await writeJson(join(flags.out, 'results.json'), {
    dataset: {
      name: manifest.name,
      manifestHash: manifest.hash,
      counts: manifest.report.final,
      options: manifest.options,
    },
    protocol: formatProtocol(protocol),
    seed: flags.seed,
    provider: providerName,
    command,
    methods: results,
    sasrec: {
      config: sasrecConfig,
      bestEpoch: sasrec.bestEpoch,
      epochsRun: sasrec.epochsRun,
      secondsPerEpoch: sasrec.secondsPerEpoch,
    },
    reasoning: reasoning && {
      encoder: { ...reasoning.encoder, projection: 'thought-space-projection.svg' },
      canary: {
        method: reasoning.canary.run.method,
        chance: reasoning.canary.chance,
        metrics: reasoning.canary.run.report.metrics,
      },
      branching,
    },
    comparisons: comparisons.map((c) => ({ method: c.a, versus: c.b, tests: c.tests })),
    notes,
  });
  if (reasoning)
    await writeFile(
      join(flags.out, 'thought-space-projection.svg'),
      await renderSvg(reasoning.encoder.projection),
    );
  const metricsChart = await writeMetricsChart(
    flags.out,
    `${manifest.name}: test metrics (${formatProtocol(protocol)})`,
    `manifest ${shortHash(manifest.hash)}, seed ${flags.seed}, 95% bootstrap CIs over ${set.cases.length} users`,
    rows,
  );
  const reportMd = renderReport({
    header,
    command,
    manifest,
    rows,
    results,
    reference: REFERENCE,
    sections: [...sections, ...notes.map((n) => `Note: ${n}\n`)],
  });
  await writeFile(join(flags.out, 'report.md'), reportMd);
  await writeFile(
    join(flags.out, 'report.html'),
    renderHtmlReport({
      title: `thoughtspace run: ${manifest.name}`,
      sections: [
        // The page has its own title, and interactive charts replace the SVG image links.
        {
          heading: 'Results',
          markdown: reportMd.replace(/^# .*\n/, '').replace(/^!\[[^\]]*\]\([^)]*\.svg\)\n?/gm, ''),
        },
        { heading: 'Test metrics', spec: metricsChart },
        { heading: 'SASRec learning curve', spec: learningCurve },
        ...(reasoning
          ? [{ heading: 'Thought Space projection', spec: reasoning.encoder.projection }]
          : []),
      ],
    }),
  );
  say(
    `\nwrote ${flags.out}/results.json, report.md, report.html, metrics.svg, learning-curve.svg in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
}
