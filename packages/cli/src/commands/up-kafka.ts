import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TOPICS, deadLetterTopic } from '@thoughtspace/kafka';
import { FailedPreconditionError } from '@thoughtspace/runtime';
import { STAGE_NAMES, type StageName } from '@thoughtspace/stage-worker';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BROKER_BUILD = join(ROOT, 'tools', 'broker', 'build.sh');
const BROKER_BIN = join(ROOT, 'tools', 'broker', 'dist', 'broker');
/** Built entry points of the stage workers and the streaming evaluator. */
export const WORKER_MAIN = join(dirname(require.resolve('@thoughtspace/stage-worker')), 'main.js');
export const STREAMING_EVALUATOR_MAIN = join(
  dirname(require.resolve('@thoughtspace/evaluator')),
  'streaming',
  'main.js',
);
/** The streaming evaluator's consumer group (its dead letters: thoughtspace.dlq.<group>.v1). */
export const EVALUATOR_GROUP = 'thoughtspace-evaluator';

/** Every topic the chain uses, with partitions, for the mock broker (it cannot create topics later). */
export function chainTopics(partitions = 3): Record<string, number> {
  const topics: Record<string, number> = {};
  for (const t of Object.values(TOPICS)) topics[t] = t === TOPICS.metrics ? 1 : partitions;
  for (const g of [...STAGE_NAMES, EVALUATOR_GROUP]) topics[deadLetterTopic(g)] = 1;
  return topics;
}

export interface Started {
  name: string;
  pid: number;
  address: string;
  log: string;
}

async function waitForLine(
  log: string,
  pattern: RegExp,
  timeoutMs: number,
  exited: () => string | undefined,
): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(await readFile(log, 'utf8').catch(() => ''));
    if (m) return m;
    const why = exited();
    if (why) throw new FailedPreconditionError(why);
    if (Date.now() > until) {
      throw new FailedPreconditionError(`${log}: no ${pattern.source} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnLogged(
  name: string,
  command: string,
  args: string[],
  log: string,
  env: NodeJS.ProcessEnv,
) {
  const fd = openSync(log, 'w');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  const exit: { why?: string } = {};
  child.on('exit', (code, signal) => {
    exit.why = `${name} exited with ${signal ?? `code ${code}`} (log: ${log})`;
  });
  return { child, exited: () => exit.why };
}

/**
 * librdkafka's mock cluster (tests and local runs only) as a detached
 * process with every chain topic; resolves with its bootstrap address.
 */
export async function startMockBroker(logs: string, timeoutMs: number): Promise<Started> {
  const build = spawnSync('bash', [BROKER_BUILD], { encoding: 'utf8' });
  if (build.status !== 0) {
    throw new FailedPreconditionError(
      `tools/broker/build.sh failed (needs gcc and librdkafka-dev): ${build.stderr || build.stdout}`,
    );
  }
  const log = join(logs, 'broker.log');
  const args = ['--stay', ...Object.entries(chainTopics()).map(([t, n]) => `${t}:${n}`)];
  const { child, exited } = spawnLogged('broker', BROKER_BIN, args, log, process.env);
  const m = await waitForLine(log, /^bootstrap (\S+)$/m, timeoutMs, exited);
  child.unref();
  return { name: 'broker', pid: child.pid!, address: m[1], log };
}

/** The streaming evaluator's environment in `up`: Kafka in, gRPC GetMetrics and the checkpoint out. */
export function streamingEvaluatorEnv(o: {
  brokers: string;
  checkpoint: string;
  protocol: string;
}): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: o.brokers,
    EVALUATOR_GROUP_ID: EVALUATOR_GROUP,
    EVALUATOR_CHECKPOINT: o.checkpoint,
    EVALUATOR_PROTOCOL: o.protocol,
  };
}

/** Start the three stage workers against `brokers` and the served stack; wait for each to be ready. */
export async function startStageWorkers(o: {
  brokers: string;
  logs: string;
  modelDir: string;
  dataset: string;
  addresses: { candidateGen: string; rationaleGen: string; totSelector: string; scorer: string };
  timeoutMs: number;
}): Promise<Started[]> {
  const envOf = (stage: StageName): NodeJS.ProcessEnv => ({
    ...process.env,
    // `ready` is an info line: what up waits for.
    LOG_LEVEL: 'info',
    KAFKA_BROKERS: o.brokers,
    WORKER_STAGE: stage,
    ...(stage === 'candidate-gen'
      ? { MODEL_DIR: o.modelDir }
      : {
          DATASET: o.dataset,
          CANDIDATE_GEN_ADDR: o.addresses.candidateGen,
          RATIONALE_GEN_ADDR: o.addresses.rationaleGen,
          TOT_SELECTOR_ADDR: o.addresses.totSelector,
          SCORER_ADDR: o.addresses.scorer,
        }),
  });
  const started = STAGE_NAMES.map((stage) => {
    const log = join(o.logs, `worker-${stage}.log`);
    const { child, exited } = spawnLogged(
      `worker ${stage}`,
      process.execPath,
      [WORKER_MAIN],
      log,
      envOf(stage),
    );
    return { stage, child, exited, log };
  });
  const out: Started[] = [];
  try {
    for (const s of started) {
      await waitForLine(s.log, /"msg":"ready"/, o.timeoutMs, s.exited);
      s.child.unref();
      out.push({ name: `worker:${s.stage}`, pid: s.child.pid!, address: o.brokers, log: s.log });
    }
  } catch (err) {
    for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    throw err;
  }
  return out;
}
