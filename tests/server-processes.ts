import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@thoughtspace/proto';
import { REPO } from './helpers';
import { tinySasrecModel, tinyThoughtSpaceModel } from './model-fixtures';
import { trainTinyBundle, STACK_DATASET } from './serving-stack';

let bundle: ReturnType<typeof trainTinyBundle> | undefined;
const tinyBundle = () => (bundle ??= trainTinyBundle());
/** Downstream addresses are only dialled on a request; start-up needs none of them to answer. */
const NOWHERE = '127.0.0.1:9';

/**
 * The real servers, as `node services/<name>/dist/main.js` (needs `npm run
 * build`). A new server joins every cross-service test with one line here:
 * its folder, its gRPC service name and the environment it needs to start.
 */
export interface ServerSpec {
  /** Folder under services/. */
  name: string;
  /** Fully-qualified gRPC service it serves. */
  service: string;
  /** Variables it needs beyond GRPC_HOST/GRPC_PORT (model folders, dataset). */
  env(): Promise<Record<string, string>>;
}

export const SERVERS: ServerSpec[] = [
  {
    name: 'candidate-gen',
    service: SERVICE_NAMES.candidateGen,
    env: async () => ({ MODEL_DIR: await tinySasrecModel() }),
  },
  {
    name: 'rationale-gen',
    service: SERVICE_NAMES.rationaleGen,
    env: async () => ({ DATASET: 'all-beauty-2018-reviews' }),
  },
  {
    name: 'encoder',
    service: SERVICE_NAMES.encoder,
    env: async () => ({ MODEL_DIR: await tinyThoughtSpaceModel() }),
  },
  {
    name: 'tot-selector',
    service: SERVICE_NAMES.totSelector,
    env: async () => ({ RATIONALE_GEN_ADDR: NOWHERE, ENCODER_ADDR: NOWHERE }),
  },
  {
    name: 'scorer',
    service: SERVICE_NAMES.scorer,
    env: async () => {
      const { dir } = await tinyBundle();
      return {
        MODEL_DIR: join(dir, 'scorer'),
        SASREC_MODEL_DIR: join(dir, 'candidate-gen'),
        ENCODER_MODEL_DIR: join(dir, 'encoder'),
        DATASET: STACK_DATASET,
      };
    },
  },
  {
    name: 'evaluator',
    service: SERVICE_NAMES.evaluator,
    env: async () => ({}),
  },
  {
    name: 'gateway',
    service: SERVICE_NAMES.gateway,
    env: async () => ({
      DATASET: STACK_DATASET,
      CANDIDATE_GEN_ADDR: NOWHERE,
      RATIONALE_GEN_ADDR: NOWHERE,
      TOT_SELECTOR_ADDR: NOWHERE,
      SCORER_ADDR: NOWHERE,
    }),
  },
];

export function serverSpec(name: string): ServerSpec {
  const spec = SERVERS.find((s) => s.name === name);
  if (!spec) throw new Error(`no server ${name} in tests/server-processes.ts SERVERS`);
  return spec;
}

export const mainJs = (name: string): string => join(REPO, 'services', name, 'dist', 'main.js');

export interface ServerProcess {
  name: string;
  /** `127.0.0.1:<port>`. */
  address: string;
  port: number;
  child: ChildProcess;
  /** Everything written to stderr so far (JSON log lines). */
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit (SIGKILL after `timeoutMs`). Always await it. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * Start a real server process on a free loopback port and wait for its
 * `listening` log line. `env` overrides the spec's environment.
 */
export async function startServerProcess(
  spec: ServerSpec,
  env: Record<string, string> = {},
  startTimeoutMs = 60_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [mainJs(spec.name)], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...(await spec.env()),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      LOG_LEVEL: 'info',
      // Tests do not wait a probe period on SIGTERM; tests/shutdown.test.ts sets its own.
      DRAIN_DELAY_MS: '100',
      ...env,
    },
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.name} did not listen within ${startTimeoutMs} ms: ${stderr}`));
    }, startTimeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"address":"[^"]*:(\d+)".*"msg":"listening"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited (${code}) before listening: ${stderr}`));
    });
  });
  return {
    name: spec.name,
    address: `127.0.0.1:${port}`,
    port,
    child,
    stderr: () => stderr,
    exited,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
