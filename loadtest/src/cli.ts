#!/usr/bin/env node
/**
 * `npm run loadtest -- <scenario> --target host:port [--rates 25,50,100,200]
 *   [--duration 10] [--closed 1,8,32] [--dataset luxury-beauty-2018] [--out loadtest/results]`
 *
 * Runs the scenario open-loop at each fixed arrival rate, then closed-loop at
 * each concurrency, prints the percentile table and writes
 * <out>/<scenario>.json (and the percentile plot beside it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runClosedLoop, runOpenLoop, type RunResult } from './run';
import { SCENARIOS } from './scenarios';
import { formatRuns, percentilePlot } from './table';

function numbers(text: string, flag: string): number[] {
  const out = text
    .split(',')
    .filter(Boolean)
    .map((t) => Number(t));
  if (out.some((x) => !(x > 0)))
    throw new RangeError(`--${flag} must be positive numbers like "25,50", got "${text}"`);
  return out;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      dataset: { type: 'string', default: 'luxury-beauty-2018' },
      rates: { type: 'string', default: '25,50,100,200' },
      closed: { type: 'string', default: '1,8' },
      duration: { type: 'string', default: '10' },
      deadline: { type: 'string', default: '5000' },
      out: { type: 'string', default: 'loadtest/results' },
    },
  });
  const name = positionals[0];
  const scenario = name ? SCENARIOS[name] : undefined;
  if (!scenario) {
    process.stderr.write(
      `usage: npm run loadtest -- <${Object.keys(SCENARIOS).join('|')}> --target host:port [--rates 25,50] [--closed 1,8] [--duration s]\n`,
    );
    return 2;
  }
  if (!values.target) {
    process.stderr.write(
      'loadtest: --target host:port is required (the address `thoughtspace up` printed)\n',
    );
    return 2;
  }
  const rates = numbers(values.rates as string, 'rates');
  const closed = values.closed ? numbers(values.closed as string, 'closed') : [];
  const duration = Number(values.duration);
  if (!(duration > 0))
    throw new RangeError(`--duration must be > 0 seconds, got "${values.duration}"`);
  const { call, close, manifestHash, counters } = await scenario.setup({
    target: values.target,
    dataset: values.dataset as string,
    deadlineMs: Number(values.deadline),
  });
  const runs: RunResult[] = [];
  const total = rates.length + closed.length;
  const started = Date.now();
  const progress = (label: string) => {
    const done = runs.length;
    const eta = ((total - done) * duration).toFixed(0);
    process.stderr.write(
      `loadtest ${scenario.name}: ${done}/${total} runs done, next ${label} (${duration}s), ETA ~${eta}s\n`,
    );
  };
  try {
    // Warm-up: connection set-up and JIT are not part of any run.
    await runClosedLoop({ concurrency: 2, durationSeconds: Math.min(2, duration), call });
    for (const rate of rates) {
      progress(`open loop ${rate}/s`);
      runs.push(await runOpenLoop({ rate, durationSeconds: duration, call }));
    }
    for (const concurrency of closed) {
      progress(`closed loop x${concurrency}`);
      runs.push(await runClosedLoop({ concurrency, durationSeconds: duration, call }));
    }
  } finally {
    close();
  }
  process.stdout.write(
    `\n${scenario.description} (${scenario.method}) at ${values.target}\n${formatRuns(runs)}\n`,
  );
  const extra = counters?.() ?? {};
  for (const [k, v] of Object.entries(extra))
    process.stdout.write(`${k}: ${v} answers over all runs\n`);
  const result = {
    benchmark: `loadtest-${scenario.name}`,
    scenario: { name: scenario.name, method: scenario.method, description: scenario.description },
    target: values.target,
    dataset: { name: values.dataset, manifestHash },
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    durationSeconds: duration,
    runs,
    counters: extra,
    command: `npm run loadtest -- ${process.argv.slice(2).join(' ')}`,
    createdAt: new Date(started).toISOString(),
  };
  await mkdir(values.out as string, { recursive: true });
  const file = join(values.out as string, `${scenario.name}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  const plot = join(values.out as string, `${scenario.name}.svg`);
  await writeFile(plot, await percentilePlot(scenario.description, values.target, runs));
  process.stdout.write(`wrote ${file} and ${plot}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`loadtest: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
