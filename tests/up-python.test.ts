/**
 * `thoughtspace up` starts the seven services as their own processes from a
 * servable bundle; a client the project did not write (Debian's
 * /usr/bin/python3 with python3-grpcio, messages from `buf build` output)
 * calls health and Recommend; with Kafka (the default) `thoughtspace replay`
 * runs test requests through the stage workers to the streaming evaluator;
 * `thoughtspace down` stops every process.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOPICS } from '@thoughtspace/kafka';
import { REPO, runCli, tempDir } from './helpers';
import { trainTinyBundle, type TrainedBundle } from './serving-stack';

const PYTHON = '/usr/bin/python3';
const KCAT = '/usr/bin/kcat';

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('thoughtspace up / down with a Python gRPC client', () => {
  let bundle: TrainedBundle;
  let pids: number[] = [];

  beforeAll(async () => {
    bundle = await trainTinyBundle();
  });
  afterAll(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('serves Recommend to python3-grpcio, then stops cleanly', async () => {
    const env = { LOG_LEVEL: 'warn', ORT_THREADS: '1' };
    const up = await runCli(['up', '--run', bundle.dir, '--timeout', '90000'], { env });
    const state = JSON.parse(
      await readFile(join(bundle.dir, 'up.json'), 'utf8').catch(() => '{}'),
    ) as {
      services?: { name: string; pid: number; address: string }[];
    };
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
    const gateway = /^gateway\s+(\S+)/m.exec(up.stdout)?.[1];
    expect(gateway).toBe(state.services?.find((s) => s.name === 'gateway')?.address);

    const dir = await tempDir('ts-python-');
    const descriptors = join(dir, 'thoughtspace.binpb');
    const buf = spawnSync(
      process.execPath,
      [require.resolve('@bufbuild/buf/bin/buf', { paths: [REPO] }), 'build', '-o', descriptors],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect(buf.stderr).toBe('');
    const user = bundle.users[0];
    const history = {
      user_id: user.userId,
      interactions: user.history.map((item_id) => ({ item_id })),
    };
    await writeFile(
      join(dir, 'request.json'),
      JSON.stringify({
        request: { history, k: 5 },
        bad: {
          k: { history, k: 101 },
          item: { history: { interactions: [{ item_id: 'no-such-item' }] }, k: 5 },
        },
      }),
    );
    const py = spawnSync(
      PYTHON,
      [
        join(REPO, 'tests', 'python', 'recommend_client.py'),
        descriptors,
        gateway!,
        join(dir, 'request.json'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(py.stderr).toBe('');
    const out = JSON.parse(py.stdout) as {
      health: string;
      recommend: {
        items: { item_id: string; score: number }[];
        rationale?: { reason: string; provider: string };
        degraded?: boolean;
        timings: { stage: string }[];
      };
      errors: Record<string, { code: string; details: string }>;
    };
    expect(out.health).toBe('SERVING');
    expect(out.recommend.items).toHaveLength(5);
    const scores = out.recommend.items.map((i) => i.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(out.recommend.rationale?.reason.length).toBeGreaterThan(20);
    expect(out.recommend.rationale?.provider).toBe('embedded');
    expect(out.recommend.degraded ?? false).toBe(false);
    expect(out.recommend.timings.map((t) => t.stage)).toContain('select');
    expect(out.errors.k).toEqual({
      code: 'INVALID_ARGUMENT',
      details: expect.stringContaining('k must be'),
    });
    expect(out.errors.item).toEqual({
      code: 'NOT_FOUND',
      details: expect.stringContaining('history.interactions[0].item_id'),
    });

    // The call `up` prints for anyone to try, run as printed (a known user, k 10).
    const tryLine = /^try: thoughtspace (recommend .*)$/m.exec(up.stdout)?.[1];
    expect(tryLine).toMatch(new RegExp(`^recommend --gateway ${gateway} --user \\S+ --k 10$`));
    const rec = await runCli(tryLine!.split(' '));
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(/^ {2}1\. \S+ {2}-?\d+\.\d{3}/m);
    expect(rec.stdout).toMatch(/reason \(THOUGHT_SPACE, embedded\): \S/);

    // The asynchronous chain `up` started beside the servers (mock broker,
    // stage workers, streaming evaluator): `thoughtspace replay` of test
    // requests, the predictions read back by kcat (a client the project did
    // not write), every request counted once in the evaluator's GetMetrics.
    const N = 4;
    const brokers = state.services!.find((s) => s.name === 'broker')!.address;
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
    const predictions = await waitFor(`${N} predictions`, () => {
      const lines = spawnSync(
        KCAT,
        ['-b', brokers, '-C', '-t', TOPICS.predictions, '-e', '-q', '-f', '%h\n'],
        { encoding: 'utf8' },
      )
        .stdout.split('\n')
        .filter((l) => l.includes('request-id='));
      return lines.length >= N ? lines : undefined;
    });
    const ids = predictions.map((l) => /request-id=([^,]+)/.exec(l)![1]);
    expect(new Set(ids).size).toBe(N);
    for (const id of ids) expect(id).toMatch(/^req-test-/);
    const table = await waitFor(`${N} cases in GetMetrics`, async () => {
      const r = await runCli(['metrics', '--evaluator', evaluator]);
      const row = r.stdout.split('\n').find((l) => l.startsWith('cumulative'));
      return row && row.trim().split(/\s{2,}/)[2] === String(N) ? r.stdout : undefined;
    });
    expect(table).toMatch(
      new RegExp(`^cumulative\\s+thought-space\\s+${N}\\s+\\d\\.\\d{4} \\[`, 'm'),
    );

    const down = await runCli(['down', '--run', bundle.dir], { env });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/gateway stopped/);
    expect(down.stdout).toMatch(/worker:scorer stopped/);
    expect(down.stdout).toMatch(/broker stopped/);
    expect(down.stdout).not.toMatch(/killed/);
    // In waves: the callers, then the services, then the broker the workers committed to.
    const lines = down.stdout.split('\n');
    const at = (name: string) => lines.indexOf(`${name} stopped`);
    expect(at('candidate-gen')).toBeGreaterThanOrEqual(0);
    expect(at('gateway')).toBeLessThan(at('candidate-gen'));
    expect(at('worker:scorer')).toBeLessThan(at('candidate-gen'));
    expect(at('candidate-gen')).toBeLessThan(at('broker'));
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 240_000);
});
