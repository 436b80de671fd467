import type { Block } from './blocks';
import { BENCH_GENERATORS } from './bench-generators';
import { readJson, ResultsError, type Generator } from './read';
import {
  fixed,
  interval,
  pValue,
  shortHash,
  signed,
  table,
  thousands,
  type Interval,
} from './format';

/** What a block's generator throws on a missing or unreadable results file (tests match on it). */
export { ResultsError };

interface MethodRow {
  method: string;
  provider: string;
  cases: number;
  metrics: Record<string, Interval>;
  bootstrap?: { resamples: number };
}

interface PairedTest {
  difference: Interval;
  pValue: number;
  /** Holm-adjusted over the run's comparisons x (HR@1, NDCG@10, MRR); absent in older files. */
  pHolm?: number;
}

interface MainResults {
  dataset: { name: string; manifestHash: string };
  protocol: string;
  seed: number;
  provider: string;
  command: string;
  methods: MethodRow[];
  comparisons?: { method: string; versus: string; tests: Record<string, PairedTest> }[];
  wallSeconds?: number;
  peakRssMiB?: number;
  sasrec?: { bestEpoch: number; epochsRun: number; secondsPerEpoch: number };
  canaries?: {
    labelPermutation: {
      method: string;
      chance: number;
      metrics: Record<string, Interval>;
      atChance: boolean;
    };
    dataInvariance?: {
      cases: number;
      moved: number;
      variants: string[];
      differences: { variant: string; field: string; cases: number }[];
      positiveControl: { leak: string; differences: unknown[] };
      passed: boolean;
      seconds: number;
    };
  };
  reasoning?: {
    canary: { method: string; chance: number; metrics: Record<string, Interval> };
    encoder: {
      pairs: number;
      heldOutPairs: number;
      recallBefore: Interval;
      recallAfter: Interval;
      chance: number;
      trainSeconds: number;
      windows?: Record<'rationale' | 'behaviour', WindowReport>;
    };
  };
}

interface WindowReport {
  texts: number;
  p50: number;
  p95: number;
  max: number;
  window: number;
  truncatedShare: number;
  previousWindow: number;
  truncatedShareAtPrevious: number;
}

const MAIN_METRICS = ['HR@1', 'HR@5', 'NDCG@5', 'NDCG@10', 'MRR'];

const mainTable: Generator = (attrs, root) => {
  const r = readJson<MainResults>(root, attrs.file, 'main-table');
  const best = Math.max(...r.methods.map((m) => m.metrics['HR@1'].mean));
  const rows = r.methods.map((m) => {
    const top = m.metrics['HR@1'].mean === best;
    const name = top ? `**${m.method}**` : m.method;
    return [
      `${name} (${m.provider})`,
      ...MAIN_METRICS.map((k) =>
        top
          ? `**${fixed(m.metrics[k].mean)}** [${fixed(m.metrics[k].low)}, ${fixed(m.metrics[k].high)}]`
          : interval(m.metrics[k]),
      ),
    ];
  });
  const cases = r.methods[0]?.cases ?? 0;
  const resamples = r.methods[0]?.bootstrap?.resamples;
  const lines = [
    `\`${r.command}\` — ${r.dataset.name}, manifest \`${shortHash(r.dataset.manifestHash)}\`, ` +
      `${thousands(cases)} test users, protocol \`${r.protocol}\`, seed ${r.seed}, rationale provider ` +
      `\`${r.provider}\`, 95% bootstrap CIs over users${resamples ? ` (${thousands(resamples)} resamples)` : ''}. ` +
      `Source: \`${attrs.file}\`.`,
    '',
    table(['method (provider)', ...MAIN_METRICS], rows),
  ];
  const facts: string[] = [];
  if (r.wallSeconds !== undefined) facts.push(`wall time ${(r.wallSeconds / 60).toFixed(1)} min`);
  if (r.peakRssMiB !== undefined) facts.push(`peak RSS ${thousands(r.peakRssMiB)} MiB`);
  if (r.sasrec)
    facts.push(
      `SASRec best validation epoch ${r.sasrec.bestEpoch} of ${r.sasrec.epochsRun} run (${r.sasrec.secondsPerEpoch.toFixed(1)} s/epoch)`,
    );
  if (facts.length) lines.push('', `Run: ${facts.join('; ')}.`);
  return lines.join('\n');
};

const mainComparisons: Generator = (attrs, root) => {
  const r = readJson<MainResults>(root, attrs.file, 'main-comparisons');
  if (!r.comparisons?.length) throw new ResultsError(`${attrs.file} has no paired comparisons`);
  const cell = (t: PairedTest) =>
    `${signed(t.difference.mean)} (p=${pValue(t.pValue)}${t.pHolm === undefined ? '' : `, Holm ${pValue(t.pHolm)}`})`;
  return table(
    ['comparison', 'ΔHR@1 (p)', 'ΔNDCG@10 (p)', 'ΔMRR (p)'],
    r.comparisons.map((c) => [
      `${c.method} vs ${c.versus}`,
      cell(c.tests['HR@1']),
      cell(c.tests['NDCG@10']),
      cell(c.tests['MRR']),
    ]),
  );
};

/** Both canaries of a main-job run: label permutation and data invariance, with their verdicts. */
const mainCanaries: Generator = (attrs, root) => {
  const r = readJson<MainResults>(root, attrs.file, 'main-canaries');
  if (!r.canaries) throw new ResultsError(`${attrs.file} has no canaries section`);
  const { labelPermutation: l, dataInvariance: d } = r.canaries;
  const hr = l.metrics['HR@1'];
  const lines = [
    `- **Label permutation** (\`${l.method}\`): HR@1 ${fixed(hr.mean)} [${fixed(hr.low)}, ${fixed(hr.high)}] against chance ${fixed(l.chance)}: **${l.atChance ? 'at chance' : 'not at chance'}**.`,
  ];
  if (d) {
    const moved = d.differences.map((x) => `${x.variant} ${x.field} (${x.cases} cases)`);
    lines.push(
      `- **Data invariance** (test targets replaced by untouched items, test path rebuilt; ${thousands(d.cases)} sampled test users, ${d.variants.length} variants): ` +
        `${moved.length === 0 ? 'no scorer input moved' : `inputs moved: ${moved.join(', ')}`}; ` +
        `planted leak (${d.positiveControl.leak}) seen in ${d.positiveControl.differences.length} of ${d.variants.length} variants: **${d.passed ? 'passed' : 'failed'}** (${d.seconds.toFixed(0)} s).`,
    );
  } else lines.push('- **Data invariance**: not run in this file.');
  return lines.join('\n');
};

const mainCanary: Generator = (attrs, root) => {
  const r = readJson<MainResults>(root, attrs.file, 'main-canary');
  if (!r.reasoning) throw new ResultsError(`${attrs.file} has no reasoning section`);
  const { canary, encoder: e } = r.reasoning;
  return [
    `**Leakage canary** (\`${canary.method}\`): HR@1 **${fixed(canary.metrics['HR@1'].mean)}** ` +
      `[${fixed(canary.metrics['HR@1'].low)}, ${fixed(canary.metrics['HR@1'].high)}] against chance ${fixed(canary.chance)}.`,
    '',
    `**Thought Space**: ${thousands(e.pairs)} positive rationales from training targets, ${thousands(e.heldOutPairs)} held-out users; ` +
      `recall@1 of a user's own rationale among 11: **${interval(e.recallAfter, 3)}** after training, ` +
      `${interval(e.recallBefore, 3)} before (chance ${fixed(e.chance, 3)}); training took ${e.trainSeconds.toFixed(0)} s.`,
    ...(e.windows
      ? [
          '',
          table(
            [
              'encoder input',
              'texts',
              'p50',
              'p95',
              'max',
              'window',
              'truncated',
              'previous window: truncated',
            ],
            (['rationale', 'behaviour'] as const).map((k) => {
              const w = e.windows![k];
              return [
                k === 'rationale' ? 'E1: rationales + tree leaves' : 'E2: behaviour texts',
                thousands(w.texts),
                String(w.p50),
                String(w.p95),
                String(w.max),
                String(w.window),
                `${(100 * w.truncatedShare).toFixed(1)}%`,
                `${w.previousWindow}: ${(100 * w.truncatedShareAtPrevious).toFixed(1)}%`,
              ];
            }),
          ),
        ]
      : []),
  ].join('\n');
};

interface MeanSd {
  mean: number;
  sd: number;
  perSeed: number[];
}

interface SeedTable {
  dataset: { name: string; manifestHash: string };
  protocol: string;
  provider: string;
  seeds: number[];
  command: string;
  wallSeconds?: number;
  peakRssMiB?: number;
  methods: { method: string; provider: string; cases: number; metrics: Record<string, MeanSd> }[];
  comparisons: {
    method: string;
    versus: string;
    metrics: Record<string, { difference: MeanSd; pHolm: number[]; pHolmMax: number }>;
  }[];
}

const pm = (x: MeanSd) => `${fixed(x.mean)} ± ${fixed(x.sd)}`;

/** The main table over seeds (seeds.json of `thoughtspace run --seeds ...`): mean ± sd. */
const mainSeeds: Generator = (attrs, root) => {
  const r = readJson<SeedTable>(root, attrs.file, 'main-seeds');
  const metrics = (attrs.metrics ?? 'HR@1,NDCG@10,MRR').split(',');
  const lines = [
    `\`${r.command}\` — ${r.dataset.name}, manifest \`${shortHash(r.dataset.manifestHash)}\`, ` +
      `${thousands(r.methods[0]?.cases ?? 0)} test users, protocol \`${r.protocol}\`, seeds ${r.seeds.join(', ')}, ` +
      `rationale provider \`${r.provider}\`; mean ± sample sd over seeds. Source: \`${attrs.file}\`.`,
    '',
    table(
      ['method (provider)', ...metrics],
      r.methods.map((m) => [
        `${m.method} (${m.provider})`,
        ...metrics.map((k) => pm(m.metrics[k])),
      ]),
    ),
  ];
  if (r.comparisons.length) {
    const cell = (t: SeedTable['comparisons'][number]['metrics'][string]) =>
      `${t.difference.mean >= 0 ? '+' : ''}${pm(t.difference)} (Holm p ≤ ${pValue(t.pHolmMax)})`;
    lines.push(
      '',
      'Paired deltas (same users), mean ± sd over seeds; p is the largest over seeds of the ' +
        "Holm-adjusted randomization p-value (family: each seed's comparisons × HR@1, NDCG@10, MRR).",
      '',
      table(
        ['comparison', 'ΔHR@1', 'ΔNDCG@10', 'ΔMRR'],
        r.comparisons.map((c) => [
          `${c.method} vs ${c.versus}`,
          cell(c.metrics['HR@1']),
          cell(c.metrics['NDCG@10']),
          cell(c.metrics['MRR']),
        ]),
      ),
    );
  }
  const facts: string[] = [];
  if (r.wallSeconds !== undefined)
    facts.push(`wall time ${(r.wallSeconds / 60).toFixed(1)} min over all seeds`);
  if (r.peakRssMiB !== undefined) facts.push(`peak RSS ${thousands(r.peakRssMiB)} MiB`);
  if (facts.length) lines.push('', `Run: ${facts.join('; ')}.`);
  return lines.join('\n');
};

interface EvalResult {
  method: string;
  dataset: { name: string; manifestHash: string };
  protocol: string;
  seed: number;
  metrics: Record<string, Interval>;
  command?: string;
}

/** Test metrics of several single-method result files (e.g. SASRec seeds). */
const evalRows: Generator = (attrs, root) => {
  const files = (attrs.files ?? '').split(',').filter(Boolean);
  if (!files.length) throw new ResultsError('block "eval-rows" needs files=a.json,b.json');
  const metrics = (attrs.metrics ?? 'NDCG@10,HR@10').split(',');
  const rows = files.map((f) => {
    const r = readJson<EvalResult>(root, f, 'eval-rows');
    return [
      `\`${f}\``,
      r.dataset.name,
      `\`${shortHash(r.dataset.manifestHash)}\``,
      r.protocol,
      String(r.seed),
      ...metrics.map((m) => interval(r.metrics[m])),
    ];
  });
  return table(['results file', 'dataset', 'manifest', 'protocol', 'eval seed', ...metrics], rows);
};

interface DataBench {
  dataset: { name: string };
  medianTotalSeconds: number;
  peakRssMiB: number;
  repeats: number;
  command: string;
}
interface EngineBench {
  matmul: {
    m: number;
    k: number;
    n: number;
    engineGflops: number;
    jsGflops: number;
    ratio: number;
  };
  transformerStep: { stepMs: number; stepsPerSec: number };
  transformerEffectiveGflops: number;
  pureJsStepLowerBoundMs: number;
  transformerStepNoDropout: { stepMs: number };
  tinyModel: { stepMicros: number };
  peakRssMiB?: number;
}

const benchmarks: Generator = (attrs, root) => {
  const data = readJson<DataBench>(root, attrs.data ?? 'bench/results/data.json', 'benchmarks');
  const engine = readJson<EngineBench>(
    root,
    attrs.engine ?? 'bench/results/engine.json',
    'benchmarks',
  );
  const mm = engine.matmul;
  const rows = [
    [
      `prepare ${data.dataset.name} (read, de-dup, k-core, Arrow write)`,
      '`npm run bench -- data`',
      `**${data.medianTotalSeconds.toFixed(2)} s** median of ${data.repeats}, peak RSS ${thousands(data.peakRssMiB)} MiB`,
    ],
    [
      `MatMul ${mm.m}x${mm.k} · ${mm.k}x${mm.n}`,
      '`npm run bench -- engine`',
      `engine ${mm.engineGflops.toFixed(1)} GFLOP/s vs pure JS ${mm.jsGflops.toFixed(2)}: **${mm.ratio.toFixed(0)}x**`,
    ],
    [
      'transformer-block training step (batch 128, length 50, dim 64, 2 blocks, 24k-item table, Adam)',
      'same',
      `**${engine.transformerStep.stepMs.toFixed(1)} ms** median, ${engine.transformerStep.stepsPerSec.toFixed(1)} steps/s, ` +
        `${engine.transformerEffectiveGflops.toFixed(1)} effective GFLOP/s; pure-JS lower bound ~${thousands(engine.pureJsStepLowerBoundMs)} ms; ` +
        `${engine.transformerStepNoDropout.stepMs.toFixed(1)} ms without dropout`,
    ],
    ['tiny model, per training step', 'same', `${engine.tinyModel.stepMicros.toFixed(1)} µs`],
  ];
  return table(['benchmark', 'command', 'result'], rows);
};

interface ServingCell {
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  throughputPerSec: number;
}
interface ServingBench {
  results: Record<'inProcess' | 'grpc', Record<string, ServingCell[]>>;
  command: string;
}

const serving: Generator = (attrs, root) => {
  const r = readJson<ServingBench>(root, attrs.file ?? 'bench/results/serving.json', 'serving');
  const label: Record<string, string> = {
    score10: 'ScoreCandidates (10)',
    generate100: 'GenerateCandidates (top-100)',
  };
  const rows: string[][] = [];
  for (const [path, byRpc] of Object.entries(r.results)) {
    for (const [rpc, cells] of Object.entries(byRpc)) {
      const join3 = (f: (c: ServingCell) => string) => cells.map(f).join(' / ');
      rows.push([
        path === 'inProcess' ? 'in-process' : 'gRPC loopback',
        label[rpc] ?? rpc,
        join3((c) => String(c.concurrency)),
        join3((c) => c.p50Ms.toFixed(2)),
        join3((c) => c.p99Ms.toFixed(2)),
        join3((c) => thousands(c.throughputPerSec)),
      ]);
    }
  }
  return [
    `\`${r.command}\` (source: \`${attrs.file ?? 'bench/results/serving.json'}\`)`,
    '',
    table(['path', 'RPC', 'concurrency', 'p50 ms', 'p99 ms', 'requests/s'], rows),
  ].join('\n');
};

export const GENERATORS: Record<string, Generator> = {
  'main-table': mainTable,
  'main-comparisons': mainComparisons,
  'main-canary': mainCanary,
  'main-canaries': mainCanaries,
  'main-seeds': mainSeeds,
  'eval-rows': evalRows,
  benchmarks,
  serving,
  ...BENCH_GENERATORS,
};

export function renderBlock(block: Block, root: string): string {
  const generator = GENERATORS[block.name];
  if (!generator)
    throw new ResultsError(
      `unknown results block "${block.name}" (known: ${Object.keys(GENERATORS).join(', ')})`,
    );
  return generator(block.attrs, root);
}
