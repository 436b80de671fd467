import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatProtocol, shortHash, type Prepared, type Protocol } from '@thoughtspace/data';
import { alignColumns, compareRanks, formatMetricTable } from '@thoughtspace/metrics';
import type { SasrecConfig, TrainedSasrec } from '@thoughtspace/candidate-gen';
import { renderHtmlReport, renderSvg, type ChartSpec } from '@thoughtspace/report';
import { writeJson } from '../internal/output';
import { methodResult, type MethodResult } from '../results';
import { canaryLines, type CanariesBlock } from './canaries';
import type { ReasoningResult } from './reasoning';
import { withHolm } from './seeds';
import { renderReport, writeMetricsChart } from './report';
import type { Comparison, Evaluation, RunRow } from './stages';

export const REFERENCE = 'sasrec';

/** Wall time since `started` and the process's peak resident set so far. */
export function usage(started: number): { wallSeconds: number; peakRssMiB: number } {
  return {
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    // maxRSS is in kilobytes.
    peakRssMiB: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
  };
}

/** What the bootstrap CIs and the paired tests resample, stated in every results file. */
export function uncertainty(resamples: number) {
  return {
    intervals: `95% percentile bootstrap over test users (cases), ${resamples} resamples; models, candidate sets and seed fixed`,
    pValues:
      'paired randomization test over test users (sign flips of per-user differences), 2,000 permutations; one seed, no multiplicity correction',
  };
}

/**
 * Writes results.json after each stage with everything computed so far
 * (`complete: false`, `stagesDone`), so a late failure keeps the early
 * rows. The final write (outputStage) replaces it with `complete: true`.
 */
export function progressWriter(o: {
  out: string;
  prepared: Prepared;
  protocol: Protocol;
  seed: number;
  provider: string;
  command: string;
  started: number;
}) {
  const stagesDone: string[] = [];
  const { manifest } = o.prepared;
  return {
    async write(stage: string, rows: RunRow[], extra: Record<string, unknown> = {}) {
      stagesDone.push(stage);
      await writeJson(join(o.out, 'results.json'), {
        complete: false,
        stagesDone,
        dataset: {
          name: manifest.name,
          manifestHash: manifest.hash,
          counts: manifest.report.final,
        },
        protocol: formatProtocol(o.protocol),
        seed: o.seed,
        seeds: [o.seed],
        provider: o.provider,
        command: o.command,
        ...usage(o.started),
        methods: rows.map((r) =>
          methodResult({
            method: r.name,
            provider: r.provider,
            manifest,
            split: 'test',
            protocol: formatProtocol(o.protocol),
            seed: o.seed,
            report: r.report,
            seconds: r.run.seconds,
            command: o.command,
          }),
        ),
        ...extra,
      });
    },
  };
}

/** Stage: one results entry per row, each with its paired tests against the reference. */
export function resultsStage(o: {
  rows: RunRow[];
  reference: RunRow;
  prepared: Prepared;
  protocol: Protocol;
  seed: number;
  resamples: number;
  command: string;
}): MethodResult[] {
  return o.rows.map((r) =>
    methodResult({
      method: r.name,
      provider: r.provider,
      manifest: o.prepared.manifest,
      split: 'test',
      protocol: formatProtocol(o.protocol),
      seed: o.seed,
      report: r.report,
      seconds: r.run.seconds,
      command: o.command,
      versus:
        r.run === o.reference.run
          ? undefined
          : {
              method: o.reference.name,
              tests: compareRanks(r.run.ranks, o.reference.run.ranks, {
                seed: o.seed,
                resamples: o.resamples,
              }),
            },
    }),
  );
}

/**
 * Stage: the printed table and the files of a run (results.json, report.md,
 * report.html, metrics.svg, the Thought Space projection).
 */
export async function outputStage(o: {
  out: string;
  prepared: Prepared;
  protocol: Protocol;
  seed: number;
  resamples: number;
  command: string;
  provider: string;
  evaluation: Evaluation;
  rows: RunRow[];
  results: MethodResult[];
  comparisons: Comparison[];
  reasoning?: ReasoningResult;
  /** Both canaries' verdicts (with reasoning). */
  canaries?: CanariesBlock;
  sasrec: { trained: TrainedSasrec; config: SasrecConfig; learningCurve?: ChartSpec };
  branching: readonly number[];
  /** Settings and training seconds of the `--siblings` rows, when any ran. */
  siblings?: Record<string, unknown>;
  notes: string[];
  /** Wall time and peak RSS at the time of writing (and anything else the run reports: stage timings, user sample). */
  usage: () => { wallSeconds: number; peakRssMiB: number } & Record<string, unknown>;
  say: (line?: string) => void;
}): Promise<void> {
  const { manifest } = o.prepared;
  const { say, reasoning, comparisons, notes, canaries } = o;
  const header = `${manifest.name} (manifest ${shortHash(manifest.hash)}), test split, protocol ${formatProtocol(o.protocol)}, seed ${o.seed}, rationale provider ${o.provider}`;
  say('');
  say(header);
  say(formatMetricTable(o.rows.map((r) => ({ name: r.name, report: r.report }))));
  const chance = 1 / (o.evaluation.testSet.candidates[0]?.items.length ?? 1);
  say(`\nchance HR@1 for this protocol: ${chance.toFixed(4)}`);
  const sections: string[] = [];
  if (reasoning) {
    const c = reasoning.canary.run.report.metrics['HR@1'];
    const e = reasoning.encoder;
    if (canaries) for (const line of canaryLines(canaries)) say(line);
    else
      say(
        `leakage canary (${reasoning.canary.run.method}): HR@1 ${c.mean.toFixed(4)} [${c.low.toFixed(4)}, ${c.high.toFixed(4)}], chance ${reasoning.canary.chance.toFixed(4)}`,
      );
    say(
      `thought space: held-out recall@1 among 11 ${e.recallAfter.mean.toFixed(3)} [${e.recallAfter.low.toFixed(3)}, ${e.recallAfter.high.toFixed(3)}] after training, ${e.recallBefore.mean.toFixed(3)} before (chance ${e.chance.toFixed(3)})`,
    );
    const w = e.windows;
    const windowLine = (name: string, r: typeof w.rationale) =>
      `${name}: tokens p50 ${r.p50}, p90 ${r.p90}, p95 ${r.p95}, max ${r.max} over ${r.texts} texts; window ${r.window} (truncates ${(100 * r.truncatedShare).toFixed(1)}%; the previous ${r.previousWindow} truncated ${(100 * r.truncatedShareAtPrevious).toFixed(1)}%)`;
    say(`encoder windows: ${windowLine('E1', w.rationale)}; ${windowLine('E2', w.behaviour)}`);
    sections.push(
      '## Encoder input windows',
      '',
      `- ${windowLine('E1 (rationales and tree leaves, keeps the start)', w.rationale)}`,
      `- ${windowLine('E2 (behaviour texts, keeps the end)', w.behaviour)}`,
      '',
    );
    const d = reasoning.diversity;
    const diversityLine = `leaves of one tree (validation, ${d.trees} trees of ${d.leavesPerTree} leaves): mean pairwise E1 cosine ${d.meanPairwiseE1Cosine.toFixed(3)}, share of leaves with distinct own evidence ${d.distinctEvidenceShare.toFixed(3)}`;
    say(diversityLine);
    sections.push(
      '## Leaf diversity',
      '',
      `${diversityLine[0].toUpperCase()}${diversityLine.slice(1)}.`,
      '',
    );
    if (reasoning.oracle) {
      const ol = reasoning.oracle;
      const rows = [
        ['validation (room for selection)', 'HR@1', 'NDCG@10', 'MRR'],
        ...ol.rows.map((r) => [
          r.method,
          r.metrics['HR@1'].mean.toFixed(4),
          r.metrics['NDCG@10'].mean.toFixed(4),
          r.metrics['MRR'].mean.toFixed(4),
        ]),
      ];
      say(
        `\noracle leaf (best of ${ol.leavesPerTree} leaves with hindsight), scorer ${ol.scorer}:\n${alignColumns(rows)}`,
      );
      sections.push(
        '## Oracle leaf (validation)',
        '',
        `Each validation case scored with each of its ${ol.leavesPerTree} leaves by ${ol.scorer}; the oracle keeps the leaf that ranks the true item best (hindsight): an upper bound for any selection strategy.`,
        '',
        `| ${rows[0].join(' | ')} |`,
        `|${rows[0].map(() => '---').join('|')}|`,
        ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`),
        '',
      );
    }
    sections.push(
      '## Leakage canary',
      '',
      `Test labels permuted (each case's label moved to a seeded random candidate) and the whole test-time path re-run: ${reasoning.canary.run.method} HR@1 ${c.mean.toFixed(4)} [${c.low.toFixed(4)}, ${c.high.toFixed(4)}] against chance ${reasoning.canary.chance.toFixed(4)}.`,
      '',
      ...(canaries?.dataInvariance
        ? [
            `Data invariance: every test target replaced by a seeded random item its user never touched, the test path (SASRec, Phase I, similar users' pools, trees, features; CI-sized models) rebuilt from both datasets, scorer inputs compared bit for bit on a seeded sample of test users. ${canaryLines(canaries)[1]}.`,
            '',
          ]
        : []),
      '## Thought Space (encoder)',
      '',
      `${e.pairs} positive rationales from training targets of ${e.trainedOn} (provider ${o.provider}), ${e.heldOutPairs} held-out users. Held-out recall@1 of the true rationale among 11: ${e.recallAfter.mean.toFixed(3)} [${e.recallAfter.low.toFixed(3)}, ${e.recallAfter.high.toFixed(3)}] after training, ${e.recallBefore.mean.toFixed(3)} [${e.recallBefore.low.toFixed(3)}, ${e.recallBefore.high.toFixed(3)}] before (chance ${e.chance.toFixed(3)}); training took ${e.trainSeconds.toFixed(1)} s.`,
      '',
      '![Thought Space projection](thought-space-projection.svg)',
      '',
      `Items without text: ${reasoning.itemsWithoutText} (rendered as their id).`,
      '',
    );
  }
  if (comparisons.length > 0) {
    const cell = (t: Comparison['tests'], m: 'HR@1' | 'NDCG@10' | 'MRR') =>
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

  await writeJson(join(o.out, 'results.json'), {
    complete: true,
    dataset: {
      name: manifest.name,
      manifestHash: manifest.hash,
      counts: manifest.report.final,
      options: manifest.options,
    },
    protocol: formatProtocol(o.protocol),
    seed: o.seed,
    seeds: [o.seed],
    provider: o.provider,
    command: o.command,
    ...o.usage(),
    uncertainty: uncertainty(o.resamples),
    chance,
    methods: o.results,
    sasrec: {
      config: o.sasrec.config,
      bestEpoch: o.sasrec.trained.bestEpoch,
      epochsRun: o.sasrec.trained.epochsRun,
      secondsPerEpoch: o.sasrec.trained.secondsPerEpoch,
    },
    reasoning: reasoning && {
      encoder: { ...reasoning.encoder, projection: 'thought-space-projection.svg' },
      canary: {
        method: reasoning.canary.run.method,
        chance: reasoning.canary.chance,
        metrics: reasoning.canary.run.report.metrics,
      },
      branching: o.branching,
      oracle: reasoning.oracle,
      diversity: reasoning.diversity,
    },
    canaries,
    comparisons: withHolm(comparisons.map((c) => ({ method: c.a, versus: c.b, tests: c.tests }))),
    ...(o.siblings ? { siblings: o.siblings } : {}),
    notes,
  });
  if (reasoning)
    await writeFile(
      join(o.out, 'thought-space-projection.svg'),
      await renderSvg(reasoning.encoder.projection),
    );
  const metricsChart = await writeMetricsChart(
    o.out,
    `${manifest.name}: test metrics (${formatProtocol(o.protocol)})`,
    `manifest ${shortHash(manifest.hash)}, seed ${o.seed}, 95% bootstrap CIs over ${o.evaluation.testSet.cases.length} users`,
    o.rows,
  );
  const reportMd = renderReport({
    header,
    command: o.command,
    manifest,
    rows: o.rows,
    results: o.results,
    reference: REFERENCE,
    sections: [...sections, ...notes.map((n) => `Note: ${n}\n`)],
  });
  await writeFile(join(o.out, 'report.md'), reportMd);
  // One self-contained HTML page per run: the report's text with the interactive charts.
  const charts: { heading: string; spec: ChartSpec }[] = [
    { heading: 'Test metrics', spec: metricsChart },
    ...(o.sasrec.learningCurve
      ? [{ heading: 'SASRec learning curve', spec: o.sasrec.learningCurve }]
      : []),
    ...(reasoning
      ? [{ heading: 'Thought Space projection', spec: reasoning.encoder.projection }]
      : []),
  ];
  await writeFile(
    join(o.out, 'report.html'),
    renderHtmlReport({
      title: `thoughtspace run: ${manifest.name}`,
      sections: [
        {
          heading: 'Results',
          markdown: reportMd.replace(/^# .*\n/, '').replace(/^!\[[^\]]*\]\([^)]*\.svg\)\n?/gm, ''),
        },
        ...charts,
      ],
    }),
  );
}
