/**
 * `thoughtspace up` with Kafka: the mock broker, the seven services (the
 * evaluator is the streaming one), the three stage workers; `thoughtspace
 * replay` of test requests through the whole asynchronous chain on a tiny
 * trained bundle; `thoughtspace metrics` from the evaluator's GetMetrics;
 * kcat (a client the project did not write) reads the predictions;
 * `thoughtspace down` stops every process.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOPICS } from '@thoughtspace/kafka';
import { runCli } from '../helpers';
import { trainTinyBundle, type TrainedBundle } from '../serving-stack';
import { waitFor } from './fixtures';

const KCAT = '/usr/bin/kcat';
const N = 4;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('thoughtspace up with Kafka, replay, metrics, down', () => {
  let bundle: TrainedBundle;
  let pids: number[] = [];

  beforeAll(async () => {
    bundle = await trainTinyBundle();
  });
  afterAll(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('every replayed request becomes one prediction and one counted case', async () => {
    const env = { LOG_LEVEL: 'warn', ORT_THREADS: '1' };
    const up = await runCli(['up', '--run', bundle.dir, '--timeout', '90000'], { env });
    const state = JSON.parse(
      await readFile(join(bundle.dir, 'up.json'), 'utf8').catch(() => '{}'),
    ) as { services?: { name: string; pid: number; address: string }[] };
    pids = (state.services ?? []).map((s) => s.pid);
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(state.services?.map((s) => s.name)).toEqual([
      'broker',
      'candidate-gen',
      'rationale-gen',
      'encoder',
      'evaluator',
      'scorer',
      'tot-selector',
      'gateway',
      'worker:candidate-gen',
      'worker:tot-selector',
      'worker:scorer',
    ]);
    const brokers = state.services![0].address;
    const evaluator = state.services!.find((s) => s.name === 'evaluator')!.address;

    const replay = await runCli([
      'replay',
      '--run',
      bundle.dir,
      '--split',
      'test',
      '--limit',
      String(N),
      '--rate',
      '20',
      '--brokers',
      brokers,
    ]);
    expect(replay.stderr).toMatch(new RegExp(`^replay: \\d+/${N} requests`, 'm'));
    expect(replay.stdout).toMatch(`replayed ${N} of ${N} requests`);

    // The whole chain ran: N predictions, read back by kcat.
    const predictions = await waitFor(
      `${N} predictions`,
      async () => {
        const lines = execFileSync(
          KCAT,
          ['-b', brokers, '-C', '-t', TOPICS.predictions, '-e', '-q', '-f', '%h\n'],
          { encoding: 'utf8' },
        )
          .split('\n')
          .filter((l) => l.includes('request-id='));
        return lines.length >= N ? lines : undefined;
      },
      90_000,
    );
    const ids = predictions.map((l) => /request-id=([^,]+)/.exec(l)![1]);
    expect(new Set(ids).size).toBe(N);
    for (const id of ids) expect(id).toMatch(/^req-test-/);

    // requests in = cases counted (GetMetrics of the streaming evaluator).
    const table = await waitFor(
      `${N} cases in GetMetrics`,
      async () => {
        const r = await runCli(['metrics', '--evaluator', evaluator]);
        const row = r.stdout.split('\n').find((l) => l.startsWith('cumulative'));
        return row && row.trim().split(/\s{2,}/)[2] === String(N) ? r.stdout : undefined;
      },
      60_000,
    );
    expect(table).toMatch(
      new RegExp(`^cumulative\\s+thought-space\\s+${N}\\s+\\d\\.\\d{4} \\[`, 'm'),
    );

    const down = await runCli(['down', '--run', bundle.dir], { env });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/worker:scorer stopped/);
    expect(down.stdout).toMatch(/broker stopped/);
    expect(down.stdout).not.toMatch(/killed/);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});
