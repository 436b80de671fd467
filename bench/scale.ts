/**
 * How the main job's cost grows with users. Builds datasets from
 * luxury-beauty-2018 in a temporary folder (its real items and text; its
 * 9,930 real users in file order, and past them its real users replicated
 * under new ids: replica r of user u is user u + r x 100,000, same
 * sequence), then runs the main job (`thoughtspace run --quick
 * --max-users 0`: the --quick training budgets, no user cap) on each in its
 * own process and reads the per-stage wall time and peak RSS it records in
 * results.json.
 *
 * Two series: `--users` (default 5000,20000,50000) runs the job with
 * `--no-reasoning` (load, split + candidates, baselines, SASRec, paired
 * tests); `--reasoning-users` (default 1000,2000,4000) runs the whole job,
 * and its `reasoning:` stages are judged on that series. The reasoning
 * stages cost ~0.01-0.07 s per user (trees and encodings per case), so the
 * whole job at 50k users is about an hour: too long to run here on a
 * shared machine (docs/scale.md); below ~1,000 users their fixed costs
 * dominate. `--series users|reasoning-users|all` (default all) runs one
 * series only; the other series is then kept from the existing
 * bench/results/scale.json as it is (its runs, verdicts and provenance),
 * and each series' command, load averages and date are in
 * `seriesProvenance`.
 *
 * Before each size the bench waits while the 1-minute load average is above
 * `--max-load` (default 3; 2 cores shared), for at most `--load-wait-minutes`
 * (default 5), then runs anyway; the wait and the load average at the start
 * and end of every size are recorded. `--repeats R` runs R passes over the
 * sizes (1000, 2000, 4000, 1000, ...) and judges each size's median per
 * stage; every repeat's figures are kept in the size's `repeats`. Per
 * stage: the time ratio
 * largest/smallest against the users ratio (firm goal: within 1.5x of
 * linear), the fitted exponent, and seconds per 1,000 users. Writes
 * bench/results/scale.json and scale.svg (time against users per stage,
 * log-log).
 *
 * `--quick-run` then times the plain `thoughtspace run --quick` (its default
 * user cap, reasoning on) on the largest dataset: the bounded --quick.
 *
 * `--quick-run-only` builds only the largest size and times only that run,
 * into bench/results/scale-quick.json. `--sasrec-epochs N` overrides the
 * --quick SASRec epochs in the series (per-epoch cost is what scales).
 *
 *   npm run bench -- scale [--users 5000,20000,50000] [--reasoning-users 1000,2000,4000|none]
 *                          [--series all|users|reasoning-users] [--repeats 1] [--max-load 3] [--load-wait-minutes 5]
 *                          [--sasrec-epochs N] [--seed 1] [--resamples 200] [--quick-run | --quick-run-only]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findPreset, resolvePresetDir } from '@thoughtspace/data';
import { scaleChart } from '@thoughtspace/report';
import { arg } from './lib/args';

const SOURCE = 'luxury-beauty-2018';
const PAIRS = 'Luxury_Beauty.txt';
const ITEMS = 'Luxury_Beauty_items.jsonl';
const REPLICA_STRIDE = 100_000;
/** The firm goal: every stage within this factor of linear from the smallest to the largest size. */
const LINEAR_TOLERANCE = 1.5;

interface StageRecord {
  stage: string;
  seconds: number;
  /** null where the job did not measure it (the CLI's start-up and dataset load). */
  peakRssMiB: number | null;
  endRssMiB: number | null;
}

interface SizeRun {
  requestedUsers: number;
  dataset: { dir: string; manifestHash: string; counts: Record<string, number> };
  sourceUsers: number;
  replicatedUsers: number;
  command: string;
  wallSeconds: number;
  peakRssMiB: number;
  stages: StageRecord[];
  loadAverage: { start: number[]; end: number[] };
  /** The wait for the load to fall before this size (absent in runs from before the wait existed). */
  loadWait?: LoadWait;
  userSample?: unknown;
  /**
   * With --repeats R > 1: every repeat's own figures; the size's stage
   * seconds and wallSeconds are then the median over them, peak RSS the
   * maximum, loadAverage the first repeat's start and the last one's end.
   */
  aggregate?: string;
  repeats?: {
    repeat: number;
    command: string;
    wallSeconds: number;
    peakRssMiB: number;
    loadAverage: { start: number[]; end: number[] };
    loadWait?: LoadWait;
    stages: StageRecord[];
  }[];
}

interface LoadWait {
  maxLoad: number;
  waitedSeconds: number;
  /** 1-minute load average when the wait began and when the run began. */
  loadBefore: number;
  loadAtStart: number;
  /** True when the load was still above maxLoad after the longest wait. */
  gaveUp: boolean;
}

const SERIES = ['all', 'users', 'reasoning-users'] as const;
type Series = (typeof SERIES)[number];

function positiveInts(name: string, text: string): number[] {
  const xs = text.split(',').map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1))
    throw new Error(`--${name}: expected positive integers like 5000,20000,50000, got "${text}"`);
  return xs;
}

const load = () => loadavg().map((x) => Number(x.toFixed(2)));
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Waits (at most `maxMinutes`) while the 1-minute load average is above `maxLoad`, with progress. */
async function waitForLoad(maxLoad: number, maxMinutes: number): Promise<LoadWait> {
  const loadBefore = load()[0];
  const t0 = performance.now();
  let now = loadBefore;
  while (now > maxLoad && performance.now() - t0 < maxMinutes * 60_000) {
    process.stderr.write(
      `[scale] load average ${now} > ${maxLoad}: waiting (${((performance.now() - t0) / 1000).toFixed(0)} s of at most ${maxMinutes * 60} s)\n`,
    );
    await sleep(15_000);
    now = load()[0];
  }
  return {
    maxLoad,
    waitedSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    loadBefore,
    loadAtStart: now,
    gaveUp: now > maxLoad,
  };
}
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The source's users in file order, each with its lines' items in order. */
function usersOf(text: string): { id: number; items: string[] }[] {
  const byUser = new Map<number, string[]>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 2) continue;
    const id = Number(f[0]);
    if (!Number.isInteger(id) || id >= REPLICA_STRIDE)
      throw new Error(`${PAIRS}: user id "${f[0]}" is not an integer below ${REPLICA_STRIDE}`);
    let items = byUser.get(id);
    if (!items) byUser.set(id, (items = []));
    items.push(f[1]);
  }
  return [...byUser].map(([id, items]) => ({ id, items }));
}

/** A pairs + items folder of `n` users: the first n real users, then replicas. */
async function buildDataset(
  root: string,
  sourceDir: string,
  users: { id: number; items: string[] }[],
  n: number,
) {
  const dir = join(root, `luxury-beauty-x${n}`);
  await mkdir(dir, { recursive: true });
  const lines: string[] = [];
  for (let k = 0; k < n; k++) {
    const u = users[k % users.length];
    const id = u.id + Math.floor(k / users.length) * REPLICA_STRIDE;
    for (const item of u.items) lines.push(`${id} ${item}`);
  }
  const stem = `Luxury_Beauty_x${n}`;
  const text = `${lines.join('\n')}\n`;
  await writeFile(join(dir, `${stem}.txt`), text);
  await copyFile(join(sourceDir, ITEMS), join(dir, `${stem}_items.jsonl`));
  return {
    dir,
    pairsSha256: sha256(text),
    sourceUsers: Math.min(n, users.length),
    replicatedUsers: Math.max(0, n - users.length),
  };
}

/** Runs the CLI's main job in its own process; its progress goes to our stderr. */
function runCli(args: string[]): Promise<number> {
  const bin = resolve(__dirname, '..', '..', 'packages', 'cli', 'dist', 'bin.js');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

async function mainJob(o: {
  dir: string;
  out: string;
  seed: number;
  resamples: number;
  maxUsers?: number;
  reasoning?: boolean;
  sasrecEpochs?: number;
}) {
  const args = [
    'run',
    '--quick',
    ...(o.reasoning === false ? ['--no-reasoning'] : []),
    ...(o.sasrecEpochs === undefined ? [] : ['--sasrec-epochs', String(o.sasrecEpochs)]),
    ...(o.maxUsers === undefined ? [] : ['--max-users', String(o.maxUsers)]),
    '--dataset',
    o.dir,
    '--kcore',
    '0',
    '--seed',
    String(o.seed),
    '--resamples',
    String(o.resamples),
    '--out',
    o.out,
  ];
  const command = `thoughtspace ${args.join(' ')}`;
  process.stderr.write(`\n[scale] ${command}\n`);
  const start = load();
  const t0 = performance.now();
  const code = await runCli(args);
  const seconds = (performance.now() - t0) / 1000;
  const end = load();
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
  const results = JSON.parse(await readFile(join(o.out, 'results.json'), 'utf8'));
  if (!results.complete || !Array.isArray(results.stages))
    throw new Error(`${o.out}/results.json is incomplete or has no stage timings`);
  return { command, seconds, loadAverage: { start, end }, results };
}

/** Stages shorter than this at the smallest size are reported but not judged (timer noise). */
const MIN_JUDGED_SECONDS = 0.5;

/**
 * Least-squares seconds = fixed + perUser x users over the sizes: the fixed
 * cost (what does not grow with users) and the cost per 1,000 users on this
 * range. Null with fewer than two sizes or a stage missing at one.
 */
function linearFit(points: [number, number | undefined][]) {
  if (points.length < 2 || points.some(([, y]) => y === undefined)) return null;
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y as number);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx;
  return {
    fixedSeconds: Number((my - slope * mx).toFixed(2)),
    secondsPerThousandUsers: Number((1000 * slope).toFixed(3)),
  };
}

/** Per stage: time ratio largest/smallest against the users ratio, and the fitted exponent. */
function verdicts(runs: SizeRun[], keep: (stage: string) => boolean) {
  if (runs.length < 2) return [];
  const first = runs[0];
  const last = runs[runs.length - 1];
  const usersRatio = last.dataset.counts.users / first.dataset.counts.users;
  return first.stages
    .filter(({ stage }) => keep(stage))
    .map(({ stage }) => {
      const at = (r: SizeRun) => r.stages.find((s) => s.stage === stage);
      const a = at(first);
      const b = at(last);
      if (!a || !b) return { stage, verdict: 'missing at one size', withinLinear: false };
      const timeRatio = b.seconds / Math.max(a.seconds, 1e-3);
      const exponent = Math.log(timeRatio) / Math.log(usersRatio);
      const judged = a.seconds >= MIN_JUDGED_SECONDS;
      const withinLinear = timeRatio <= usersRatio * LINEAR_TOLERANCE;
      return {
        stage,
        secondsBySize: runs.map((r) => at(r)?.seconds ?? null),
        peakRssMiBBySize: runs.map((r) => at(r)?.peakRssMiB ?? null),
        secondsPerThousandUsers: runs.map((r) => {
          const s = at(r)?.seconds;
          return s === undefined ? null : Number(((1000 * s) / r.dataset.counts.users).toFixed(4));
        }),
        linearFit: linearFit(runs.map((r) => [r.dataset.counts.users, at(r)?.seconds])),
        timeRatio: Number(timeRatio.toFixed(2)),
        usersRatio: Number(usersRatio.toFixed(2)),
        exponent: Number(exponent.toFixed(2)),
        verdict: !judged
          ? `not judged: under ${MIN_JUDGED_SECONDS} s at ${first.dataset.counts.users} users`
          : withinLinear
            ? `within ${LINEAR_TOLERANCE}x of linear`
            : `NOT within ${LINEAR_TOLERANCE}x of linear (${(timeRatio / usersRatio).toFixed(2)}x linear)`,
        withinLinear: judged ? withinLinear : null,
      };
    });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One size's repeats as one entry: median seconds per stage, maximum peak RSS, every repeat kept. */
function combineRepeats(list: SizeRun[]): SizeRun {
  if (list.length === 1) return list[0];
  const first = list[0];
  const maxOf = (xs: (number | null)[]) =>
    xs.some((x) => x === null) ? null : Math.max(...(xs as number[]));
  return {
    ...first,
    command: first.command.replace(/-r\d+$/, '-r<repeat>'),
    wallSeconds: Number(median(list.map((r) => r.wallSeconds)).toFixed(1)),
    peakRssMiB: Math.max(...list.map((r) => r.peakRssMiB)),
    stages: first.stages.map(({ stage }) => {
      const at = list.map((r) => r.stages.find((s) => s.stage === stage));
      if (at.some((s) => s === undefined))
        throw new Error(`stage "${stage}" missing in a repeat of ${first.requestedUsers} users`);
      const ss = at as StageRecord[];
      return {
        stage,
        seconds: Number(median(ss.map((s) => s.seconds)).toFixed(3)),
        peakRssMiB: maxOf(ss.map((s) => s.peakRssMiB)),
        endRssMiB: maxOf(ss.map((s) => s.endRssMiB)),
      };
    }),
    loadAverage: { start: first.loadAverage.start, end: list[list.length - 1].loadAverage.end },
    loadWait: undefined,
    aggregate: `median of ${list.length} repeats per stage (interleaved with the other sizes), peak RSS the maximum`,
    repeats: list.map((r, i) => ({
      repeat: i + 1,
      command: r.command,
      wallSeconds: r.wallSeconds,
      peakRssMiB: r.peakRssMiB,
      loadAverage: r.loadAverage,
      loadWait: r.loadWait,
      stages: r.stages,
    })),
  };
}

/** Builds an n-user dataset and runs the main job on it; one entry of a series. */
async function sizeRun(o: {
  root: string;
  sourceDir: string;
  users: { id: number; items: string[] }[];
  n: number;
  seed: number;
  resamples: number;
  reasoning: boolean;
  sasrecEpochs?: number;
  maxLoad: number;
  loadWaitMinutes: number;
  /** 1-based repeat number with --repeats > 1 (its own output folder). */
  repeat?: number;
}): Promise<SizeRun> {
  const loadWait = await waitForLoad(o.maxLoad, o.loadWaitMinutes);
  const built = await buildDataset(o.root, o.sourceDir, o.users, o.n);
  const r = await mainJob({
    dir: built.dir,
    out: join(
      o.root,
      `run-${o.n}-${o.reasoning ? 'reasoning' : 'no-reasoning'}${o.repeat === undefined ? '' : `-r${o.repeat}`}`,
    ),
    seed: o.seed,
    resamples: o.resamples,
    maxUsers: 0,
    reasoning: o.reasoning,
    sasrecEpochs: o.sasrecEpochs,
  });
  process.stderr.write(
    `[scale] ${o.n} users${o.reasoning ? '' : ' (no reasoning)'}: ${r.results.wallSeconds} s, peak RSS ${r.results.peakRssMiB} MiB\n`,
  );
  return {
    requestedUsers: o.n,
    dataset: {
      dir: built.dir,
      manifestHash: r.results.dataset.manifestHash,
      counts: r.results.dataset.counts,
    },
    sourceUsers: built.sourceUsers,
    replicatedUsers: built.replicatedUsers,
    command: r.command,
    wallSeconds: r.results.wallSeconds,
    peakRssMiB: r.results.peakRssMiB,
    stages: [
      // Before the job's own clock starts: node start-up, reading and preprocessing the dataset.
      {
        stage: 'process start + load dataset',
        seconds: Number((r.seconds - r.results.wallSeconds).toFixed(3)),
        peakRssMiB: null,
        endRssMiB: null,
      },
      ...r.results.stages,
    ],
    loadAverage: r.loadAverage,
    loadWait,
  };
}

const isReasoning = (stage: string) => stage.startsWith('reasoning:');
const sizesOf = (runs: SizeRun[]) => runs.map((r) => r.dataset.counts.users).join('/');
/** The range of 1-minute load averages at the start of a series' runs. */
const loadsOf = (runs: SizeRun[]) => {
  const xs = runs.map((r) => r.loadAverage.start[0]);
  return xs.length ? `${Math.min(...xs)}-${Math.max(...xs)}` : 'n/a';
};

type Verdict = ReturnType<typeof verdicts>[number] & { series: string };
interface Kept {
  top: {
    command: string;
    budgets: string;
    loadAverage: unknown;
    benchMinutes: number;
    complete?: boolean;
  };
  seed: number;
  resamples: number;
  series: { users: SizeRun[]; 'reasoning-users': SizeRun[] };
  stages: Verdict[];
  provenance: Record<'users' | 'reasoning-users', unknown>;
  quickRun: unknown;
}

/** The fields of an existing scale.json that a one-series run reads. */
interface ScaleFile {
  bench?: string;
  command: string;
  budgets: string;
  complete?: boolean;
  loadAverage: unknown;
  benchMinutes: number;
  seed: number;
  resamples: number;
  series?: { users?: SizeRun[]; 'reasoning-users'?: SizeRun[] };
  stages?: Verdict[];
  seriesProvenance?: Record<'users' | 'reasoning-users', unknown>;
  quickRun?: unknown;
}

/**
 * The existing scale.json, for a run of one series: the other series' runs,
 * verdicts and provenance are kept as they are. A file from before
 * seriesProvenance existed gets it from its top-level fields.
 */
async function keptSeries(dir: string, series: 'users' | 'reasoning-users'): Promise<Kept> {
  const file = join(dir, 'scale.json');
  let old: ScaleFile;
  try {
    old = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `--series ${series}: needs ${file} to keep the other series from (${err instanceof Error ? err.message : String(err)}); run --series all first`,
    );
  }
  if (old.bench !== 'scale' || !old.series || !Array.isArray(old.stages))
    throw new Error(`--series ${series}: ${file} is not a scale bench result`);
  const fromTop = {
    command: old.command,
    budgets: old.budgets,
    complete: old.complete,
    loadAverage: old.loadAverage,
    benchMinutes: old.benchMinutes,
  };
  return {
    top: fromTop,
    seed: old.seed,
    resamples: old.resamples,
    series: {
      users: old.series.users ?? [],
      'reasoning-users': old.series['reasoning-users'] ?? [],
    },
    stages: old.stages,
    quickRun: old.quickRun,
    provenance: old.seriesProvenance ?? { users: fromTop, 'reasoning-users': fromTop },
  };
}

async function main(): Promise<void> {
  const sizes = positiveInts('users', arg('users', '5000,20000,50000')).sort((a, b) => a - b);
  const reasoningText = arg('reasoning-users', '1000,2000,4000');
  const reasoningSizes =
    reasoningText === 'none'
      ? []
      : positiveInts('reasoning-users', reasoningText).sort((a, b) => a - b);
  const series = arg('series', 'all') as Series;
  if (!SERIES.includes(series))
    throw new Error(`--series: expected one of ${SERIES.join(', ')}, got "${series}"`);
  const maxLoad = Number(arg('max-load', '3'));
  if (!(maxLoad > 0))
    throw new Error(`--max-load: expected a positive number, got "${arg('max-load', '3')}"`);
  const loadWaitMinutes = Number(arg('load-wait-minutes', '5'));
  if (!(loadWaitMinutes >= 0))
    throw new Error(
      `--load-wait-minutes: expected a number >= 0, got "${arg('load-wait-minutes', '5')}"`,
    );
  const seed = positiveInts('seed', arg('seed', '1'))[0];
  const repeats = positiveInts('repeats', arg('repeats', '1'))[0];
  const resamples = positiveInts('resamples', arg('resamples', '200'))[0];
  const quickOnly = process.argv.includes('--quick-run-only');
  const quickRun = quickOnly || process.argv.includes('--quick-run');
  const sasrecText = arg('sasrec-epochs', 'quick');
  const sasrecEpochs =
    sasrecText === 'quick' ? undefined : positiveInts('sasrec-epochs', sasrecText)[0];
  const preset = findPreset(SOURCE);
  if (!preset) throw new Error(`preset ${SOURCE} missing`);
  const sourceDir = resolvePresetDir(preset);
  const pairs = await readFile(join(sourceDir, PAIRS));
  const users = usersOf(pairs.toString('utf8'));
  const resultsDir = resolve(__dirname, '..', 'results');
  const runUsers = series !== 'reasoning-users';
  const runReasoning = series !== 'users';
  /** The series this run does not measure, kept from the existing scale.json as it is. */
  const kept = series === 'all' || quickOnly ? undefined : await keptSeries(resultsDir, series);
  if (kept && (kept.seed !== seed || kept.resamples !== resamples))
    throw new Error(
      `--series ${series}: the kept series in scale.json ran with --seed ${kept.seed} --resamples ${kept.resamples}; pass the same`,
    );
  const root = await mkdtemp(join(tmpdir(), 'thoughtspace-scale-'));
  process.stderr.write(
    `[scale] ${SOURCE}: ${users.length} real users; datasets of ${runUsers ? sizes.join(', ') : '(kept)'} (no reasoning) and ${runReasoning ? reasoningSizes.join(', ') : '(kept)'} (whole job) users in ${root} ` +
      `(past ${users.length}: its real users replicated under new ids, user + r x ${REPLICA_STRIDE})\n`,
  );
  const started = load();
  const t0 = performance.now();
  const createdAt = new Date().toISOString();
  // The series measured now starts empty; the other one is kept from scale.json.
  const runs: SizeRun[] = runUsers ? [] : (kept?.series.users ?? []);
  const reasoningRuns: SizeRun[] = runReasoning ? [] : (kept?.series['reasoning-users'] ?? []);
  let quick: Record<string, unknown> | undefined;
  // With --repeats, whole passes over the sizes one after another, so a drift in load
  // touches every size alike; each size's entry is the median of its repeats.
  const plan = quickOnly
    ? []
    : Array.from({ length: repeats }, (_, r) => [
        ...(runUsers ? sizes.map((n) => ({ n, reasoning: false, into: runs, r })) : []),
        ...(runReasoning
          ? reasoningSizes.map((n) => ({ n, reasoning: true, into: reasoningRuns, r }))
          : []),
      ]).flat();
  const raw = new Map<string, SizeRun[]>();
  /** `--quick-run-only`: the plain `thoughtspace run --quick` on the largest size, in its own file. */
  const writeQuick = async (quickResult: Record<string, unknown>) => {
    const file = resolve(__dirname, '..', 'results', 'scale-quick.json');
    const body = {
      bench: 'scale --quick-run-only',
      command: `npm run bench -- scale ${process.argv.slice(2).join(' ')}`.trim(),
      source: { preset: SOURCE, pairsSha256: sha256(pairs), users: users.length },
      construction: `the first min(n, ${users.length}) real users of ${SOURCE} in file order; past ${users.length}, its real users replicated under new ids (replica r of user u = u + r x ${REPLICA_STRIDE})`,
      seed,
      resamples,
      provider: 'embedded',
      engine: 'onnxruntime-node CPU execution provider',
      cpus: cpus().length,
      loadAverage: { start: started, end: load() },
      quickRun: quickResult,
    };
    await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
    process.stdout.write(
      `thoughtspace run --quick on ${quickResult.users} users: ${quickResult.wallSeconds} s (load average ${started.join(' ')}); wrote ${file}\n`,
    );
  };
  /** Writes scale.json (and the chart) from the runs so far: a late failure keeps the early sizes. */
  const write = async (complete: boolean) => {
    const command = `npm run bench -- scale ${process.argv.slice(2).join(' ')}`.trim();
    const stages = [
      ...(runUsers
        ? verdicts(runs, (s) => !isReasoning(s)).map((v) => ({ series: 'users', ...v }))
        : (kept?.stages.filter((s) => s.series === 'users') ?? [])),
      ...(runReasoning
        ? verdicts(reasoningRuns, isReasoning).map((v) => ({ series: 'reasoning-users', ...v }))
        : (kept?.stages.filter((s) => s.series === 'reasoning-users') ?? [])),
    ];
    const budgets = `--quick (SASRec ${sasrecEpochs ?? 6} epochs, encoder 2 epochs) with --max-users 0 (no user cap)${repeats > 1 ? `; ${repeats} repeats per size, median per stage` : ''}`;
    /** This run's provenance, for the series it measured. */
    const measured = {
      command,
      createdAt,
      budgets,
      complete,
      loadAverage: { start: started, end: load() },
      benchMinutes: Number(((performance.now() - t0) / 60000).toFixed(1)),
    };
    const seriesProvenance = {
      users: runUsers ? measured : kept?.provenance.users,
      'reasoning-users': runReasoning ? measured : kept?.provenance['reasoning-users'],
    };
    const top = kept?.top;
    const result = {
      bench: 'scale',
      complete: kept ? complete && kept.top.complete !== false : complete,
      command: top ? top.command : command,
      source: {
        preset: SOURCE,
        pairsSha256: sha256(pairs),
        users: users.length,
        construction: `the first min(n, ${users.length}) real users in file order; past ${users.length}, its real users replicated under new ids (replica r of user u = u + r x ${REPLICA_STRIDE}, same items in the same order); items and text are the source's. Built in a temporary folder, deleted after the run.`,
      },
      seed,
      resamples,
      provider: 'embedded',
      engine: 'onnxruntime-node CPU execution provider',
      budgets: top
        ? top.budgets
        : `${budgets}; series "users" with --no-reasoning, series "reasoning-users" the whole job`,
      cpus: cpus().length,
      loadAverage: top ? top.loadAverage : measured.loadAverage,
      benchMinutes: top ? top.benchMinutes : measured.benchMinutes,
      provenanceNote: kept
        ? `--series ${series}: the ${series} series was measured by seriesProvenance["${series}"].command; the other series and the top-level command, budgets, loadAverage and benchMinutes are kept as they were from its own run`
        : 'both series measured by one command',
      seriesProvenance,
      linearTolerance: LINEAR_TOLERANCE,
      minJudgedSeconds: MIN_JUDGED_SECONDS,
      series: { users: runs, 'reasoning-users': reasoningRuns },
      stages,
      allJudgedWithinLinear: stages.every((s) => s.withinLinear !== false),
      quickRun: quick ?? kept?.quickRun ?? 'not run (pass --quick-run)',
    };
    const dir = resultsDir;
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'scale.json'), `${JSON.stringify(result, null, 2)}\n`);
    const points = (series: SizeRun[], keep: (stage: string) => boolean) =>
      series.flatMap((r) =>
        r.stages
          .filter((s) => s.seconds > 0 && keep(s.stage))
          .map((s) => ({ stage: s.stage, users: r.dataset.counts.users, seconds: s.seconds })),
      );
    const svg = await scaleChart({
      title: 'Main job (--quick budgets): time per stage against users',
      subtitle: `${SOURCE} replicated; reasoning stages from the ${sizesOf(reasoningRuns)}-user runs (load ${loadsOf(reasoningRuns)}), the rest from ${sizesOf(runs)} (load ${loadsOf(runs)}); seed ${seed}, ${cpus().length} CPUs`,
      rows: [...points(runs, (s) => !isReasoning(s)), ...points(reasoningRuns, isReasoning)],
    });
    await writeFile(join(dir, 'scale.svg'), svg);
    if (complete)
      for (const s of stages)
        process.stdout.write(
          s.secondsBySize
            ? `${s.stage.padEnd(58)} ${s.secondsBySize.map((x) => (x ?? NaN).toFixed(1).padStart(8)).join('')} s  x${s.timeRatio} for x${s.usersRatio} users (exponent ${s.exponent}): ${s.verdict}\n`
            : `${s.stage}: ${s.verdict}\n`,
        );
    if (quick)
      process.stdout.write(
        `thoughtspace run --quick on ${quick.users} users: ${quick.wallSeconds} s (load average ${started[0]})\n`,
      );
    process.stdout.write(`wrote ${join(dir, 'scale.json')} and scale.svg\n`);
  };
  try {
    for (const [i, step] of plan.entries()) {
      process.stderr.write(
        `[scale] run ${i + 1} of ${plan.length}: ${step.n} users, ${step.reasoning ? 'whole job' : 'no reasoning'}${repeats > 1 ? `, repeat ${step.r + 1} of ${repeats}` : ''} (${((performance.now() - t0) / 60000).toFixed(1)} min so far)\n`,
      );
      const done = await sizeRun({
        root,
        sourceDir,
        users,
        n: step.n,
        seed,
        resamples,
        reasoning: step.reasoning,
        sasrecEpochs,
        maxLoad,
        loadWaitMinutes,
        repeat: repeats > 1 ? step.r + 1 : undefined,
      });
      const key = `${step.reasoning}|${step.n}`;
      raw.set(key, [...(raw.get(key) ?? []), done]);
      // The measured series, rebuilt from the repeats so far (sizes in order).
      const ns = step.reasoning ? reasoningSizes : sizes;
      step.into.length = 0;
      for (const n of ns) {
        const list = raw.get(`${step.reasoning}|${n}`);
        if (list) step.into.push(combineRepeats(list));
      }
      await write(false);
    }
    if (quickRun) {
      const n = sizes[sizes.length - 1];
      const dir =
        quickOnly || !runUsers
          ? (await buildDataset(root, sourceDir, users, n)).dir
          : runs[runs.length - 1].dataset.dir;
      const r = await mainJob({
        dir,
        out: join(root, `quick-${n}`),
        seed,
        resamples,
      });
      quick = {
        users: n,
        manifestHash: r.results.userSample?.fromManifest ?? r.results.dataset.manifestHash,
        command: r.command,
        wallSeconds: r.results.wallSeconds,
        minutes: Number((r.results.wallSeconds / 60).toFixed(2)),
        underTenMinutes: r.results.wallSeconds < 600,
        peakRssMiB: r.results.peakRssMiB,
        userSample: r.results.userSample,
        stages: r.results.stages,
        loadAverage: r.loadAverage,
      };
      process.stderr.write(
        `[scale] thoughtspace run --quick on ${n} users: ${r.results.wallSeconds} s (load average ${r.loadAverage.start[0]} -> ${r.loadAverage.end[0]})\n`,
      );
    }
    if (quickOnly) await writeQuick(quick as Record<string, unknown>);
    else await write(true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
