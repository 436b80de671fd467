import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { Command } from 'commander';
import { readServingBundle } from '@thoughtspace/pipeline';
import { HealthClient, HealthCheckResponse_ServingStatus } from '@thoughtspace/proto';
import { MODEL_FORMAT, type SasrecManifest } from '@thoughtspace/candidate-gen';
import { FailedPreconditionError, NotFoundError, openModelDir } from '@thoughtspace/runtime';
import { DEFAULT_PROTOCOL } from '@thoughtspace/data';
import { intArg } from '../options';
import { say } from '../output';
import {
  startMockBroker,
  startStageWorkers,
  STREAMING_EVALUATOR_MAIN,
  streamingEvaluatorEnv,
} from './up-kafka';

/** Start order: every service after the ones it calls. */
export const UP_ORDER = [
  'candidate-gen',
  'rationale-gen',
  'encoder',
  'evaluator',
  'scorer',
  'tot-selector',
  'gateway',
] as const;
type Name = (typeof UP_ORDER)[number];

interface UpFlags {
  run: string;
  host: string;
  basePort: number;
  timeout: number;
  kafka: boolean;
  brokers?: string;
  protocol: string;
}

/** up.json: what `down` needs to stop what `up` started. */
export interface UpState {
  run: string;
  /** The seven services, and with Kafka the broker (first) and the stage workers (last). */
  services: { name: string; pid: number; address: string; log: string }[];
  startedAt: string;
}

const BIN = join(__dirname, '..', '..', 'bin', 'thoughtspace.js');

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitServing(address: string, timeoutMs: number, exited: () => string | undefined) {
  const client = new HealthClient(address, credentials.createInsecure());
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const why = exited();
      if (why) throw new FailedPreconditionError(why);
      const status = await new Promise<number | undefined>((resolve) =>
        client.check({ service: '' }, new Metadata(), { deadline: Date.now() + 1000 }, (err, res) =>
          resolve(err ? undefined : res.status),
        ),
      );
      if (status === HealthCheckResponse_ServingStatus.SERVING) return;
      if (Date.now() > until) {
        throw new FailedPreconditionError(`${address} not SERVING after ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
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

/**
 * The order processes stop in: the callers first (the stage workers and the
 * gateway: their accepted calls still reach the services), then the six
 * services, then the broker (the workers commit their offsets to it while
 * they drain). A wave stops together: each process drains for its own
 * delay, so seven in turn would take seven times as long.
 */
export function stopWaves(names: readonly string[]): string[][] {
  const callers = names.filter((n) => n === 'gateway' || n.startsWith('worker:'));
  const broker: string[] = names.filter((n) => n === 'broker');
  const services = names.filter((n) => !callers.includes(n) && !broker.includes(n));
  return [callers, services, broker].filter((wave) => wave.length > 0);
}

/** SIGTERM every process wave by wave (stopWaves), wait for each to exit; SIGKILL after `timeoutMs`. */
async function stopAll(state: UpState, timeoutMs: number): Promise<void> {
  const byName = new Map(state.services.map((s) => [s.name, s]));
  for (const wave of stopWaves(state.services.map((s) => s.name)))
    await Promise.all(wave.map((name) => stopOne(byName.get(name)!, timeoutMs)));
}

async function stopOne(s: UpState['services'][number], timeoutMs: number): Promise<void> {
  if (!alive(s.pid)) {
    say(`${s.name} (pid ${s.pid}) was not running`);
    return;
  }
  process.kill(s.pid, 'SIGTERM');
  const until = Date.now() + timeoutMs;
  while (alive(s.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (alive(s.pid)) {
    process.kill(s.pid, 'SIGKILL');
    say(`${s.name} (pid ${s.pid}) did not stop within ${timeoutMs} ms: killed`);
  } else {
    say(`${s.name} stopped`);
  }
}

/**
 * The first user id the bundle's SASRec was trained with (one the gateway's
 * dataset knows), for the printed example call; none where the directory does
 * not read as SASRec (the call is a hint, the services are already up).
 */
async function exampleUser(candidateGenDir: string): Promise<string | undefined> {
  const dir = await openModelDir<SasrecManifest>(candidateGenDir, {
    format: MODEL_FORMAT,
    what: 'SASRec',
  }).catch(() => undefined);
  return dir?.manifest.userIds[0];
}

/** A word a POSIX shell reads back unchanged. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'start every service of a run as its own process on loopback, wait until each is SERVING, print the endpoints (stop with `thoughtspace down`)',
    )
    .requiredOption('--run <dir>', 'run folder whose servable bundle to serve (e.g. runs/main)')
    .option('--host <addr>', 'interface to bind', '127.0.0.1')
    .option(
      '--base-port <n>',
      'first port (the next six follow); 0 = free ports',
      intArg('--base-port'),
      0,
    )
    .option(
      '--timeout <ms>',
      'how long each service may take to become SERVING',
      intArg('--timeout', 1),
      120_000,
    )
    .option(
      '--no-kafka',
      'gRPC only: no broker, stage workers or streaming evaluator (the evaluator serves EvaluateSplit)',
    )
    .option(
      '--brokers <list>',
      'Kafka cluster for the stage workers and the streaming evaluator (default KAFKA_BROKERS, else the mock broker is started: tests and local runs only)',
    )
    .option('--protocol <p>', 'candidate protocol label of the streaming metrics', DEFAULT_PROTOCOL)
    .action(async (flags: UpFlags) => {
      const bundle = await readServingBundle(flags.run);
      const statePath = join(bundle.dir, 'up.json');
      const previous = await readState(statePath).catch(() => undefined);
      if (previous?.services.some((s) => alive(s.pid))) {
        throw new FailedPreconditionError(
          `${statePath}: services of an earlier \`up\` are still running; run \`thoughtspace down --run ${flags.run}\` first`,
        );
      }
      const logs = join(bundle.dir, 'logs');
      await mkdir(logs, { recursive: true });
      const addresses = {} as Record<Name, string>;
      for (const [i, name] of UP_ORDER.entries()) {
        const port = flags.basePort ? flags.basePort + i : await freePort(flags.host);
        addresses[name] = `${flags.host}:${port}`;
      }
      const peers: Partial<Record<Name, string[]>> = {
        // The Thought Space runs in tot-selector's process (the bundle's encoder folder).
        'tot-selector': ['--rationale-gen', addresses['rationale-gen']],
        gateway: [
          '--candidate-gen',
          addresses['candidate-gen'],
          '--rationale-gen',
          addresses['rationale-gen'],
          '--tot-selector',
          addresses['tot-selector'],
          '--scorer',
          addresses.scorer,
        ],
      };
      const state: UpState = { run: bundle.dir, services: [], startedAt: new Date().toISOString() };
      try {
        let brokers = flags.brokers ?? process.env.KAFKA_BROKERS;
        if (flags.kafka && !brokers) {
          const broker = await startMockBroker(logs, 30_000);
          state.services.push(broker);
          brokers = broker.address;
          say(
            `${'broker'.padEnd(14)} ${brokers}  (mock cluster, pid ${broker.pid}, log ${broker.log})`,
          );
        }
        // With Kafka the evaluator is the streaming one: it serves GetMetrics
        // from the predictions topic beside EvaluateSplit.
        const streaming =
          flags.kafka && brokers
            ? streamingEvaluatorEnv({
                brokers,
                checkpoint: join(bundle.dir, 'evaluator-checkpoint.json'),
                protocol: flags.protocol,
              })
            : undefined;
        // gRPC clients connect lazily, so every process can start at once;
        // each is SERVING only once its models are loaded.
        const started = UP_ORDER.map((name) => {
          const log = join(logs, `${name}.log`);
          const fd = openSync(log, 'w');
          const port = addresses[name].split(':').pop()!;
          const args = [
            BIN,
            'serve',
            name,
            '--run',
            bundle.dir,
            '--host',
            flags.host,
            '--port',
            port,
          ];
          const child =
            name === 'evaluator' && streaming
              ? spawn(process.execPath, [STREAMING_EVALUATOR_MAIN], {
                  detached: true,
                  stdio: ['ignore', fd, fd],
                  env: {
                    ...process.env,
                    ...streaming,
                    GRPC_HOST: flags.host,
                    GRPC_PORT: port,
                    DATASET: bundle.manifest.dataset.name,
                  },
                })
              : spawn(process.execPath, [...args, ...(peers[name] ?? [])], {
                  detached: true,
                  stdio: ['ignore', fd, fd],
                  env: process.env,
                });
          closeSync(fd);
          const exit: { why?: string } = {};
          child.on('exit', (code) => (exit.why = `${name} exited with code ${code} (log: ${log})`));
          state.services.push({ name, pid: child.pid!, address: addresses[name], log });
          return { name, child, log, exit };
        });
        await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
        await Promise.all(
          started.map(async ({ name, child, log, exit }) => {
            await waitServing(addresses[name], flags.timeout, () => exit.why);
            child.unref();
            say(`${name.padEnd(14)} ${addresses[name]}  (pid ${child.pid}, log ${log})`);
          }),
        );
        if (streaming && brokers) {
          const workers = await startStageWorkers({
            brokers,
            logs,
            modelDir: bundle.modelDirs['candidate-gen'],
            dataset: bundle.manifest.dataset.name,
            addresses: {
              candidateGen: addresses['candidate-gen'],
              rationaleGen: addresses['rationale-gen'],
              totSelector: addresses['tot-selector'],
              scorer: addresses.scorer,
            },
            timeoutMs: flags.timeout,
          });
          state.services.push(...workers);
          await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
          for (const w of workers)
            say(`${w.name.padEnd(14)} ${brokers}  (pid ${w.pid}, log ${w.log})`);
        }
      } catch (err) {
        await stopAll(state, 10_000);
        await rm(statePath, { force: true });
        throw err;
      }
      say(
        `\nall ${UP_ORDER.length} services SERVING${flags.kafka ? ', broker and stage workers ready' : ''}; state in ${statePath}; stop with: thoughtspace down --run ${flags.run}`,
      );
      const user = await exampleUser(bundle.modelDirs['candidate-gen']);
      if (user !== undefined)
        say(
          `try: thoughtspace recommend --gateway ${addresses.gateway} --user ${shellWord(user)} --k 10`,
        );
      if (flags.kafka) {
        say(
          `replay: thoughtspace replay --run ${flags.run} --split test --rate 50 --brokers ${flags.brokers ?? process.env.KAFKA_BROKERS ?? state.services[0].address}`,
        );
        say(`metrics: thoughtspace metrics --evaluator ${addresses.evaluator}`);
      }
    });

  program
    .command('down')
    .description('stop the services `thoughtspace up` started (SIGTERM, wait for each to drain)')
    .requiredOption('--run <dir>', 'the run folder given to `up`')
    .option(
      '--timeout <ms>',
      'how long each service may take to stop before SIGKILL',
      intArg('--timeout', 1),
      30_000,
    )
    .action(async (flags: { run: string; timeout: number }) => {
      const bundle = await readServingBundle(flags.run);
      const statePath = join(bundle.dir, 'up.json');
      const state = await readState(statePath);
      await stopAll(state, flags.timeout);
      await rm(statePath, { force: true });
    });
}

async function readState(path: string): Promise<UpState> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new NotFoundError(`${path}: nothing to stop (no \`thoughtspace up\` state here)`);
  });
  return JSON.parse(text) as UpState;
}
