import { fixed, interval, pValue, shortHash, table, thousands, type Interval } from './format';
import { readJson, type Generator } from './read';

interface SasrecSide {
  implementation: string;
  secondsPerEpochMedian: number;
  test: Record<string, Interval>;
}
interface SasrecBench {
  command: string;
  dataset: { name: string; manifestHash: string };
  threads: number;
  config: { epochs: number; batch: number; maxLen: number; hidden: number; blocks: number };
  protocol: string;
  ours: SasrecSide;
  pytorch: SasrecSide;
  speedup: number;
}

/** Ours vs the PyTorch SASRec, trained alternately in the same run. */
const sasrecSpeed: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/sasrec.json';
  const r = readJson<SasrecBench>(root, file, 'sasrec-speed');
  const row = (s: SasrecSide) => [
    s.implementation,
    s.secondsPerEpochMedian.toFixed(1),
    interval(s.test.NDCG10),
    interval(s.test.HR10),
  ];
  return [
    `\`${r.command}\` — ${r.dataset.name} (manifest \`${shortHash(r.dataset.manifestHash)}\`), ` +
      `${r.config.epochs} epochs each, batch ${r.config.batch}, length ${r.config.maxLen}, dim ${r.config.hidden}, ` +
      `${r.config.blocks} blocks, ${r.threads} threads, ${r.protocol}. Source: \`${file}\`.`,
    '',
    table(
      ['implementation', 's/epoch (median)', 'test NDCG@10', 'test HR@10'],
      [row(r.ours), row(r.pytorch)],
    ),
    '',
    `Ours is **${r.speedup.toFixed(1)}x** faster per epoch in this run.`,
  ].join('\n');
};

interface TopkBench {
  command: string;
  dataset: { name: string; manifestHash: string };
  sizes: { queries: number; users: number; items: number; dim: number };
  similarUsers: {
    k: number;
    engineSeconds: number;
    jsSeconds: number;
    speedup: number;
    identical: boolean;
  };
  sasrecFullRanking: {
    engineSeconds: number;
    /** The JavaScript loop over the spelled-out lists. */
    jsSeconds: number;
    /** Building those lists (the old path needed them; absent in older files). */
    spellOutSeconds?: number;
    /** (spellOut + js) / engine. */
    speedup: number;
    speedupScoringOnly?: number;
    identical: boolean;
  };
  popularityFullRanking: { newSeconds: number; oldSeconds: number; identical: boolean };
  /** 1/5/15-minute load averages at start and end (absent in older files). */
  loadAverage?: { start: number[]; end: number[] };
}

/** The SASRec row: the old path's time is the spell-out plus the loop, as its ratio counts it. */
function sasrecRow(f: TopkBench['sasrecFullRanking'], same: (b: boolean) => string): string[] {
  const name = 'SASRec full ranking (users x items)';
  if (f.spellOutSeconds === undefined || f.speedupScoringOnly === undefined)
    return [
      name,
      f.engineSeconds.toFixed(1),
      f.jsSeconds.toFixed(1),
      `${f.speedup.toFixed(1)}x`,
      same(f.identical),
    ];
  return [
    `${name}; JavaScript = spelling out the lists + scoring them`,
    f.engineSeconds.toFixed(1),
    `${(f.spellOutSeconds + f.jsSeconds).toFixed(1)} (${f.spellOutSeconds.toFixed(1)} + ${f.jsSeconds.toFixed(1)})`,
    `${f.speedup.toFixed(1)}x (${f.speedupScoringOnly.toFixed(1)}x scoring only)`,
    same(f.identical),
  ];
}

/** Engine top-k against the JavaScript loops it replaced, same run, identical results. */
const topk: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/topk.json';
  const r = readJson<TopkBench>(root, file, 'topk');
  const s = r.sizes;
  const same = (b: boolean) => (b ? 'identical' : '**differ**');
  return [
    `\`${r.command}\` — ${r.dataset.name} (manifest \`${shortHash(r.dataset.manifestHash)}\`), ` +
      `${thousands(s.queries)} queries, ${thousands(s.users)} users, ${thousands(s.items)} items, dim ${s.dim}` +
      (r.loadAverage
        ? `; load average ${r.loadAverage.start[0]} at start, ${r.loadAverage.end[0]} at end (the machine is shared; both sides of each ratio ran in the same process)`
        : '') +
      `. Source: \`${file}\`.`,
    '',
    table(
      ['pass', 'engine s', 'JavaScript s', 'ratio', 'results'],
      [
        [
          `similar users (top-${r.similarUsers.k} by cosine, users x users)`,
          r.similarUsers.engineSeconds.toFixed(1),
          r.similarUsers.jsSeconds.toFixed(1),
          `${r.similarUsers.speedup.toFixed(1)}x`,
          same(r.similarUsers.identical),
        ],
        sasrecRow(r.sasrecFullRanking, same),
        [
          'popularity full ranking',
          r.popularityFullRanking.newSeconds.toFixed(1),
          r.popularityFullRanking.oldSeconds.toFixed(1),
          `${(r.popularityFullRanking.oldSeconds / r.popularityFullRanking.newSeconds).toFixed(1)}x`,
          same(r.popularityFullRanking.identical),
        ],
      ],
    ),
  ].join('\n');
};

interface FullRanking {
  command: string;
  seed: number;
  datasets: {
    dataset: { name: string; manifestHash: string };
    training: { bestEpoch: number; epochsRun: number; validProtocol: string };
    test: Record<string, { cases: number; metrics: Record<string, Interval> }>;
  }[];
}

/** SASRec under full ranking next to 1 + 100 sampled negatives. */
const sasrecFull: Generator = (attrs, root) => {
  const file = attrs.file ?? 'results/sasrec-full-ranking.json';
  const r = readJson<FullRanking>(root, file, 'sasrec-full');
  const rows = r.datasets.flatMap((d) =>
    Object.entries(d.test).map(([protocol, t]) => [
      d.dataset.name,
      `\`${shortHash(d.dataset.manifestHash)}\``,
      protocol,
      `${d.training.bestEpoch} of ${d.training.epochsRun} (validation ${d.training.validProtocol})`,
      interval(t.metrics['HR@10']),
      interval(t.metrics['NDCG@10']),
    ]),
  );
  return [
    `\`${r.command}\`, seed ${r.seed}. Source: \`${file}\`.`,
    '',
    table(
      ['dataset', 'manifest', 'test protocol', 'best epoch (early stopping)', 'HR@10', 'NDCG@10'],
      rows,
    ),
  ].join('\n');
};

interface KafkaBench {
  command: string;
  dataset: { name: string; manifestHash: string };
  broker: string;
  predictions: number;
  rounds?: number;
  machine?: { cpus: number; loadAverage1m?: { before: number; after: number } };
  bareKafkajs: { predictionsPerSec: number; cpuMsPer1000?: number };
  evaluator: { predictionsPerSec: number; ratioToBare: number; cpuMsPer1000?: number };
}

const kafka: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/kafka.json';
  const r = readJson<KafkaBench>(root, file, 'kafka');
  const cpu = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
  const load = r.machine?.loadAverage1m;
  return [
    `\`${r.command}\` — ${thousands(r.predictions)} predictions of ${r.dataset.name} through ${r.broker}` +
      (r.rounds ? `; median of ${r.rounds} alternating rounds` : '') +
      (load
        ? `; load average ${load.before.toFixed(1)} -> ${load.after.toFixed(1)} on ${r.machine!.cpus} CPUs`
        : '') +
      `. Source: \`${file}\`.`,
    '',
    table(
      ['reader', 'predictions/s', 'share of bare', 'CPU ms per 1,000 predictions'],
      [
        [
          'bare kafkajs consumer (same messages)',
          thousands(r.bareKafkajs.predictionsPerSec),
          '1.00',
          cpu(r.bareKafkajs.cpuMsPer1000),
        ],
        [
          'streaming evaluator',
          thousands(r.evaluator.predictionsPerSec),
          fixed(r.evaluator.ratioToBare, 2),
          cpu(r.evaluator.cpuMsPer1000),
        ],
      ],
    ),
  ].join('\n');
};

interface KafkaPipelineBench {
  command: string;
  bundle: { path: string };
  dataset: { name: string; manifestHash: string };
  offeredRatePerSec: number;
  completed: number;
  throughputPerSec: number;
  machine: { cpus: number; loadAverage1m: { before: number; after: number } };
  stages: {
    stage: string;
    records: number;
    lagMs: { p50: number; p99: number };
    sinceRequestMs: { p50: number; p99: number };
    handlingMs: { p50: number; p99: number };
  }[];
}

/** The Kafka chain end to end: throughput and per-stage lag (bench/kafka-pipeline.ts). */
const kafkaPipeline: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/kafka-pipeline.json';
  const r = readJson<KafkaPipelineBench>(root, file, 'kafka-pipeline');
  const ms = (x: number) => x.toFixed(0);
  const load = r.machine.loadAverage1m;
  return [
    `\`${r.command}\` — ${r.dataset.name} (manifest \`${shortHash(r.dataset.manifestHash)}\`), ` +
      `${r.offeredRatePerSec}/s offered: ${r.completed} requests completed at ${r.throughputPerSec.toFixed(1)}/s; ` +
      `load average ${load.before.toFixed(1)} -> ${load.after.toFixed(1)} on ${r.machine.cpus} CPUs. Source: \`${file}\`.`,
    '',
    table(
      [
        'stage',
        'records',
        'lag p50 (ms)',
        'lag p99 (ms)',
        'since request p50 (ms)',
        'since request p99 (ms)',
        'handling p50 (ms)',
        'handling p99 (ms)',
      ],
      r.stages.map((s) => [
        s.stage,
        String(s.records),
        ms(s.lagMs.p50),
        ms(s.lagMs.p99),
        ms(s.sinceRequestMs.p50),
        ms(s.sinceRequestMs.p99),
        ms(s.handlingMs.p50),
        ms(s.handlingMs.p99),
      ]),
    ),
  ].join('\n');
};

interface LoadtestFile {
  command: string;
  target: string;
  dataset: { name: string; manifestHash: string };
  scenario: { method: string; description: string };
  durationSeconds: number;
  counters?: Record<string, number>;
  runs: {
    mode: 'open' | 'closed';
    rate?: number;
    concurrency?: number;
    achievedPerSecond: number;
    ok: number;
    errors: Record<string, number>;
    dropped: number;
    latency: { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };
  }[];
}

/** A load test's percentile table: open loop from the intended send, closed loop beside it. */
export const loadtest: Generator = (attrs, root) => {
  const file = attrs.file ?? 'results/loadtest/recommend.json';
  const r = readJson<LoadtestFile>(root, file, 'loadtest');
  const ms = (x: number) => x.toFixed(0);
  const rows = r.runs.map((run) => [
    run.mode === 'open' ? `open, ${run.rate}/s offered` : `closed, ${run.concurrency} worker(s)`,
    run.achievedPerSecond.toFixed(1),
    String(run.ok),
    String(Object.values(run.errors).reduce((a, b) => a + b, 0)),
    ms(run.latency.p50Ms),
    ms(run.latency.p90Ms),
    ms(run.latency.p99Ms),
    ms(run.latency.maxMs),
  ]);
  const counters = Object.entries(r.counters ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return [
    `\`${r.command}\` — ${r.scenario.description} (${r.scenario.method}), ${r.dataset.name} ` +
      `(manifest \`${shortHash(r.dataset.manifestHash)}\`), ${r.durationSeconds} s per run` +
      `${counters ? `; ${counters} answers` : ''}. Source: \`${file}\`.`,
    '',
    table(['mode', 'achieved/s', 'ok', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], rows),
  ].join('\n');
};


interface MeanSdMetric {
  mean: number;
  /** null with a single seed. */
  sd: number | null;
}
interface SiblingsFile {
  command: string;
  notes: string[];
  datasets: {
    name: string;
    manifestHash: string;
    testCases: number;
    table: {
      variant: string;
      seeds: number[];
      full: Record<string, MeanSdMetric>;
      sampled100: Record<string, MeanSdMetric>;
      pairedVsSasrec?: { seed: number; fullNDCG10: { difference: Interval; pValue: number } }[];
      /** A ReaEmb row of another architecture (GRU4Rec) against that architecture's plain row. */
      pairedVsBase?: {
        base: string;
        seeds: { seed: number; fullNDCG10: { difference: Interval; pValue: number } }[];
      };
    }[];
    runs: {
      variant: string;
      seed: number;
      headTail: Record<string, { cases: number; sampledNDCG10: number }>;
    }[];
  }[];
}

/**
 * CoderRec / ReaEmb / GRU4Rec against SASRec: full ranking and 1 + 100
 * sampled, mean ± sd over seeds, paired tests, head/tail. Files with
 * GRU4Rec+ReaEmb rows get one more column: each such row against plain GRU4Rec.
 */
export const siblings: Generator = (attrs, root) => {
  const file = attrs.file ?? 'results/siblings.json';
  const r = readJson<SiblingsFile>(root, file, 'siblings');
  const pm = (m: MeanSdMetric | undefined) =>
    !m ? '—' : m.sd === null ? fixed(m.mean) : `${fixed(m.mean)} ± ${fixed(m.sd)}`;
  const out = [`\`${r.command}\`. Source: \`${file}\`.`];
  const deltas = (ps: { seed: number; fullNDCG10: { difference: Interval; pValue: number } }[]) =>
    ps
      .map(
        (p) =>
          `${p.fullNDCG10.difference.mean >= 0 ? '+' : ''}${fixed(p.fullNDCG10.difference.mean)} (p=${pValue(p.fullNDCG10.pValue)})`,
      )
      .join('; ');
  for (const d of r.datasets) {
    const ownBase = d.table.some((t) => t.pairedVsBase);
    const tail = (variant: string, part: string) => {
      const runs = d.runs.filter((x) => x.variant === variant && x.headTail?.[part]);
      if (!runs.length) return '—';
      return fixed(runs.reduce((a, x) => a + x.headTail[part].sampledNDCG10, 0) / runs.length);
    };
    out.push(
      '',
      `**${d.name}** (manifest \`${shortHash(d.manifestHash)}\`, ${thousands(d.testCases)} test users; full ranking = Recall/NDCG over the whole catalogue, Recall@K = HR@K with one target):`,
      '',
      table(
        [
          'model',
          'seeds',
          'full Recall@10',
          'full NDCG@10',
          'sampled:100 HR@10',
          'sampled:100 NDCG@10',
          'Δ full NDCG@10 vs SASRec per seed (p)',
          ...(ownBase ? ['Δ full NDCG@10 vs own architecture per seed (p)'] : []),
          'tail items / head items sampled NDCG@10',
        ],
        d.table.map((t) => [
          t.variant,
          t.seeds.join(','),
          pm(t.full['HR@10']),
          pm(t.full['NDCG@10']),
          pm(t.sampled100['HR@10']),
          pm(t.sampled100['NDCG@10']),
          t.pairedVsSasrec?.length ? deltas(t.pairedVsSasrec) : '—',
          ...(ownBase
            ? [
                t.pairedVsBase?.seeds.length
                  ? `vs ${t.pairedVsBase.base}: ${deltas(t.pairedVsBase.seeds)}`
                  : '—',
              ]
            : []),
          `${tail(t.variant, 'tailItems')} / ${tail(t.variant, 'headItems')}`,
        ]),
      ),
    );
  }
  return out.join('\n');
};

interface GatewayQuantiles {
  p50Ms: number;
  p99Ms: number;
}

interface GatewayBench {
  command: string;
  bundle: { dataset: { name: string; manifestHash: string }; seed: number; provider: string };
  machine: { cpus: number; loadAverage: number[] };
  processes?: string;
  secondsPerRate: number;
  /** Unrecorded open-loop warm-up at the first rate (absent in files before it existed). */
  warmupSeconds?: number;
  /** Rounds of (Recommend, echo) per rate; absent: one round (files before rounds existed). */
  rounds?: number;
  rates: {
    rate: number;
    recommend: GatewayQuantiles & {
      errors: number;
      degraded: number;
      stages: Record<string, GatewayQuantiles>;
      cpuMsPerRequest?: Record<string, number>;
    };
    echo: GatewayQuantiles & { cpuMsPerCall?: { server: number; client: number } };
    /** With rounds: the median of the rounds' ratios. */
    p99RatioToEcho: number;
    rounds?: { p99RatioToEcho: number }[];
  }[];
  highestRateWithP99Under100Ms: number | null;
  scoreCandidates: GatewayQuantiles & {
    rate: number;
    echo: GatewayQuantiles;
    p99RatioToEcho: number;
    rounds?: { p99RatioToEcho: number }[];
    cpuMsPerCall?: { candidateGen: number; client: number; echoServer: number; echoClient: number };
  };
}

/** `load average at the end 1.1 / 1.2 / 1.2 on 2 CPUs`: how busy the machine was. */
const endLoad = (m: { loadAverage: number[]; cpus: number }) =>
  `load average at the end ${m.loadAverage.map((x) => x.toFixed(1)).join(' / ')} on ${m.cpus} CPUs`;

/** Recommend over the seven processes against the echo floor, per rate, with where the CPU goes. */
const gateway: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/gateway.json';
  const r = readJson<GatewayBench>(root, file, 'gateway');
  const ms = (x: number) => x.toFixed(1);
  const stages = Object.keys(r.rates[0]?.recommend.stages ?? {});
  const cpu = (row: GatewayBench['rates'][number]) => {
    const c = row.recommend.cpuMsPerRequest;
    return c ? ms(c.total) : '-';
  };
  const sc = r.scoreCandidates;
  const rounds = r.rounds ?? 1;
  const ratio = (row: { p99RatioToEcho: number; rounds?: { p99RatioToEcho: number }[] }) =>
    `${row.p99RatioToEcho.toFixed(1)}x` +
    (row.rounds && row.rounds.length > 1
      ? ` (${row.rounds.map((x) => x.p99RatioToEcho.toFixed(1)).join(', ')})`
      : '');
  const echoCpu = r.rates
    .filter((row) => row.echo.cpuMsPerCall)
    .map(
      (row) =>
        `${row.rate}/s: ${row.echo.cpuMsPerCall!.server.toFixed(2)} + ${row.echo.cpuMsPerCall!.client.toFixed(2)}`,
    );
  return [
    `\`${r.command}\` — ${r.bundle.dataset.name} bundle (manifest \`${shortHash(r.bundle.dataset.manifestHash)}\`, seed ${r.bundle.seed}, provider \`${r.bundle.provider}\`), ${r.processes ?? 'every service its own process'}, ${rounds > 1 ? `${rounds} rounds per rate of ${r.secondsPerRate} s of Recommend then ${r.secondsPerRate} s of echo (quantiles over all rounds; the ratio is the median of the rounds' ratios, each round's in brackets)` : `${r.secondsPerRate} s per rate`}${r.warmupSeconds ? ` after ${r.warmupSeconds} s of unrecorded warm-up` : ''}, ${endLoad(r.machine)}. Source: \`${file}\`.`,
    '',
    table(
      [
        'rate /s',
        'Recommend p50 / p99 ms',
        'echo p99 ms',
        'p99 / echo',
        'errors / degraded',
        ...stages.map((s) => `${s} p50`),
        'CPU ms per Recommend',
      ],
      r.rates.map((row) => [
        String(row.rate),
        `${ms(row.recommend.p50Ms)} / ${ms(row.recommend.p99Ms)}`,
        ms(row.echo.p99Ms),
        ratio(row),
        `${row.recommend.errors} / ${row.recommend.degraded}`,
        ...stages.map((s) => ms(row.recommend.stages[s]?.p50Ms ?? NaN)),
        cpu(row),
      ]),
    ),
    '',
    `Highest rate with Recommend p99 under 100 ms: ${r.highestRateWithP99Under100Ms ?? 'none'}.` +
      (echoCpu.length
        ? ` CPU ms of one echo call, server + client (the client side includes encoding the payload): ${echoCpu.join('; ')}.`
        : '') +
      ` ScoreCandidates (10 candidates) at ${thousands(sc.rate)}/s: p50 ${ms(sc.p50Ms)} ms, p99 ${ms(sc.p99Ms)} ms against echo p99 ${ms(sc.echo.p99Ms)} ms (${ratio(sc)})` +
      (sc.cpuMsPerCall
        ? `; CPU ms per call, server + client: ScoreCandidates ${sc.cpuMsPerCall.candidateGen.toFixed(2)} + ${sc.cpuMsPerCall.client.toFixed(2)}, echo ${sc.cpuMsPerCall.echoServer.toFixed(2)} + ${sc.cpuMsPerCall.echoClient.toFixed(2)}.`
        : '.'),
  ].join('\n');
};

interface ScaleBench {
  seed: number;
  provider: string;
  linearTolerance: number;
  seriesProvenance: Record<
    string,
    { command: string; budgets: string; loadAverage: { start: number[]; end: number[] } }
  >;
  series: Record<string, { requestedUsers: number; replicatedUsers: number }[]>;
  stages: {
    series: string;
    stage: string;
    secondsBySize: number[];
    timeRatio: number;
    usersRatio: number;
    exponent: number | null;
    verdict: string;
    linearFit?: { fixedSeconds: number; secondsPerThousandUsers: number };
  }[];
}

/** Per series: each stage's seconds by size, its growth against the users' and the verdict. */
const scale: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/scale.json';
  const r = readJson<ScaleBench>(root, file, 'scale');
  const out: string[] = [];
  for (const [name, runs] of Object.entries(r.series)) {
    const prov = r.seriesProvenance[name];
    const sizes = runs.map((x) => thousands(x.requestedUsers));
    const load = prov
      ? `; load average ${prov.loadAverage.start[0].toFixed(1)} at the start, ${prov.loadAverage.end[0].toFixed(1)} at the end`
      : '';
    out.push(
      `**${name}** (${sizes.join(' / ')} users${runs.some((x) => x.replicatedUsers > 0) ? '; users past 9,930 replicated under new ids' : ''}): \`${prov?.command ?? ''}\`, ${prov?.budgets ?? ''}, seed ${r.seed}, provider \`${r.provider}\`${load}. Source: \`${file}\`.`,
      '',
      table(
        ['stage', `seconds (${sizes.join(' / ')} users)`, 'time ratio', 'users ratio', 'exponent', 'verdict'],
        r.stages
          .filter((st) => st.series === name)
          .map((st) => [
            st.stage,
            st.secondsBySize.map((x) => x.toFixed(1)).join(' / '),
            st.timeRatio.toFixed(2),
            String(st.usersRatio),
            st.exponent === null ? '-' : st.exponent.toFixed(2),
            st.verdict,
          ]),
      ),
      '',
    );
  }
  return out.join('\n').trimEnd();
};

interface RpcOverheadBench {
  command: string;
  machine: { cpus: number; loadAverage: number[] };
  request: string;
  calls: number;
  rate: number;
  rounds: number;
  layers: { layer: string; cpuUsPerCall: number; ratioToGrpcJs: number; rounds: number[] }[];
}

/** Server CPU per call of the service stack, layer by layer, against bare grpc-js. */
const rpcOverhead: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/rpc-overhead.json';
  const r = readJson<RpcOverheadBench>(root, file, 'rpc-overhead');
  return [
    `\`${r.command}\` — ${r.request}; ${thousands(r.calls)} calls per layer at ${thousands(r.rate)}/s, ${r.rounds} rounds taking the layers in turn (median of the rounds; the ratio is the median of the same-round ratios), ${endLoad(r.machine)}. Source: \`${file}\`.`,
    '',
    table(
      ['layer', 'server CPU µs per call', 'x bare grpc-js', 'rounds (µs)'],
      r.layers.map((l) => [
        l.layer,
        l.cpuUsPerCall.toFixed(1),
        `${l.ratioToGrpcJs.toFixed(2)}x`,
        l.rounds.map((x) => x.toFixed(0)).join(', '),
      ]),
    ),
  ].join('\n');
};

interface SequenceWindowsBench {
  command: string;
  machine: { cpus: number; loadAverage: number[] };
  bundle: { dataset: { name: string; manifestHash: string }; seed: number; provider: string };
  request: string;
  rate: number;
  seconds: number;
  rounds: number;
  servedBy: { graph: string; share: number }[];
  agreement: { scores: number; maxAbsDiff: number; identicalShare: number };
  on: WindowSide;
  off: WindowSide;
  cpuRatio: number;
  p99Ratio: number;
}

interface WindowSide {
  cpuMsPerCall: number;
  p50Ms: number;
  p99Ms: number;
  rounds: { cpuMsPerCall: number; p99Ms: number }[];
}

/** candidate-gen's ScoreCandidates with SASRec's serving windows on and off, same run (decision 0034). */
const sequenceWindows: Generator = (attrs, root) => {
  const file = attrs.file ?? 'bench/results/sequence-windows.json';
  const r = readJson<SequenceWindowsBench>(root, file, 'sequence-windows');
  const row = (name: string, s: WindowSide) => [
    name,
    s.cpuMsPerCall.toFixed(3),
    s.p50Ms.toFixed(2),
    s.p99Ms.toFixed(2),
    s.rounds.map((x) => `${x.cpuMsPerCall.toFixed(3)} / ${x.p99Ms.toFixed(1)}`).join(', '),
  ];
  const shares = r.servedBy
    .map((x) => `${x.graph} ${(100 * x.share).toFixed(1)}%`)
    .join(', ');
  return [
    `\`${r.command}\` — ${r.bundle.dataset.name} bundle (manifest \`${shortHash(r.bundle.dataset.manifestHash)}\`, seed ${r.bundle.seed}, provider \`${r.bundle.provider}\`); ${r.request}; ${thousands(r.rate)}/s for ${r.seconds} s per side and round, ${r.rounds} rounds alternating the sides (medians of the rounds), ${endLoad(r.machine)}. Requests served by: ${shares}. Source: \`${file}\`.`,
    '',
    table(
      ['SEQUENCE_WINDOWS', 'candidate-gen CPU ms per call', 'p50 ms', 'p99 ms', 'rounds (CPU ms / p99 ms)'],
      [row('on (default)', r.on), row('off (model.onnx only)', r.off)],
    ),
    '',
    `On / off in the same rounds: CPU per call **${r.cpuRatio.toFixed(2)}x**, p99 ${r.p99Ratio.toFixed(2)}x. Both answered the same requests first: largest score difference ${r.agreement.maxAbsDiff.toExponential(1)} over ${thousands(r.agreement.scores)} scores (${(100 * r.agreement.identicalShare).toFixed(1)}% bit-identical).`,
  ].join('\n');
};

export const BENCH_GENERATORS: Record<string, Generator> = {
  'sasrec-speed': sasrecSpeed,
  topk,
  'sasrec-full': sasrecFull,
  kafka,
  'kafka-pipeline': kafkaPipeline,
  gateway,
  'rpc-overhead': rpcOverhead,
  'sequence-windows': sequenceWindows,
  scale,
  loadtest,
  siblings,
};
