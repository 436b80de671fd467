/**
 * The stage-worker kill scenario, shared by the three stages' tests: one
 * stage worker process (services/stage-worker) over a fresh mock cluster is
 * SIGKILLed mid-stream and restarted, then stopped with SIGTERM and restarted;
 * "requests in = outputs counted, 0 lost, 0 counted twice" by request id (the
 * downstream rule), each output equal to what the same stage code gives
 * in-process on the same ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createConsumer, createKafka, createProducer, deadLetterTopic } from '@thoughtspace/kafka';
import {
  STAGES,
  createWorkerPorts,
  loadConfig,
  type StageName,
  type WorkerPorts,
} from '@thoughtspace/stage-worker';
import { kafkaStageHandlers } from '@thoughtspace/pipeline';
import type { Message } from 'kafkajs';
import { startBroker } from './broker';
import { waitFor } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
const WORKER_MAIN = path.join(ROOT, 'services/stage-worker/dist/main.js');

export interface WorkerProcess {
  child: ChildProcess;
  logs(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node services/stage-worker/dist/main.js` with `env` (plus PATH), stderr captured. */
export function startWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: '2',
      WORKER_SESSION_TIMEOUT_MS: '4000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs: () => logs, exit };
}

/**
 * The stage's handler in this process over the ports a worker process with
 * `env` builds (loadConfig + createWorkerPorts): the reference the worker's
 * outputs are compared with, and a way to build a later stage's inputs.
 */
export async function inProcessStage(
  stage: StageName,
  env: Record<string, string>,
): Promise<{ handle(event: unknown): Promise<unknown>; dispose(): Promise<void> }> {
  const full = { KAFKA_BROKERS: '127.0.0.1:9', ...env, WORKER_STAGE: stage };
  const ports: WorkerPorts = await createWorkerPorts(loadConfig(full), full);
  const handlers = kafkaStageHandlers({ ports: ports.ports });
  const { input, output } = STAGES[stage];
  return {
    // Through the codecs both ways, as the worker sees its input and the reader its output.
    handle: async (event) =>
      output.codec.decode(
        output.codec.encode(
          await STAGES[stage].handle(handlers, input.codec.decode(input.codec.encode(event))),
        ),
      ) as unknown,
    dispose: () => ports.dispose(),
  };
}

export interface KillScenario {
  stage: StageName;
  /** The worker's stage variables (MODEL_DIR, DATASET, *_ADDR); KAFKA_BROKERS is added. */
  env: Record<string, string>;
  /** The stage's input events in publish order, keyed by user id. */
  inputs: { requestId: string; userId: string; event: unknown }[];
  /** The output each request id must get (decoded), e.g. from inProcessStage. */
  expected: Map<string, unknown>;
}

export interface KillOutcome {
  requests: number;
  /** Distinct outputs seen when the first worker was killed. */
  atKill: number;
  /** Outputs delivered more than once (recognised by request id). */
  redelivered: number;
}

/**
 * Feed 3/4 of the inputs in small chunks and SIGKILL the worker once 15% of
 * the outputs are out (mid-stream: the rest arrives while no worker runs);
 * restart it and wait for those; publish the last quarter and SIGTERM (the
 * chunk in flight is finished, produced and committed: exit 0); restart and
 * wait for everything. Asserts 0 lost, 0 extra, every output equal to
 * `expected`, and nothing delivered before the SIGTERM delivered again.
 */
export async function runKillScenario(s: KillScenario): Promise<KillOutcome> {
  const spec = STAGES[s.stage];
  const group = s.stage;
  const broker = await startBroker({
    topics: { [spec.input.topic]: 2, [spec.output.topic]: 2, [deadLetterTopic(group)]: 1 },
  });
  const workers: WorkerProcess[] = [];
  const kafka = createKafka({
    config: { brokers: broker.brokers, clientId: `test-${s.stage}`, ssl: false },
  });
  const reader = createConsumer({ kafka, groupId: `test-reader-${s.stage}` });
  const seen = new Map<string, unknown>();
  const deliveries = new Map<string, number>();
  const total = s.inputs.length;
  try {
    await reader.connect();
    await reader.subscribe({ topics: [spec.output.topic], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const e = spec.output.codec.decode(message.value) as { header?: { requestId: string } };
        const id = e.header!.requestId;
        deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
        if (!seen.has(id)) seen.set(id, e);
      },
    });
    const publish = async (part: KillScenario['inputs']): Promise<void> => {
      const producer = createProducer({ kafka });
      await producer.connect();
      const messages: Message[] = part.map((r) => ({
        key: r.userId,
        value: spec.input.codec.encode(r.event),
      }));
      await producer.send({ topic: spec.input.topic, messages });
      await producer.disconnect();
    };
    const start = (): WorkerProcess => {
      const w = startWorker({ ...s.env, WORKER_STAGE: s.stage, KAFKA_BROKERS: broker.bootstrap });
      workers.push(w);
      return w;
    };
    const ready = (w: WorkerProcess) =>
      waitFor(
        `the ${s.stage} worker to be ready`,
        async () => (w.logs().includes('"ready"') ? true : undefined),
        60_000,
        w.logs,
      );
    const outputs = (n: number, w: WorkerProcess) =>
      waitFor(
        `${n} distinct ${s.stage} outputs`,
        async () => (seen.size >= n ? true : undefined),
        60_000,
        () => `${seen.size} of ${n}; worker logs: ${w.logs().slice(-1500)}`,
      );

    const first = start();
    await ready(first);
    const firstPart = Math.floor(total * 0.75);
    const chunk = Math.max(1, Math.round(total / 20));
    const feeding = (async () => {
      for (let i = 0; i < firstPart; i += chunk) {
        await publish(s.inputs.slice(i, Math.min(i + chunk, firstPart)));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await outputs(Math.round(total * 0.15), first);
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const atKill = seen.size;
    await feeding;
    expect(atKill).toBeLessThan(firstPart);

    const second = start();
    await ready(second);
    await outputs(firstPart, second);

    // SIGTERM mid-stream: the in-flight chunk finishes, is produced and committed; exit 0.
    await publish(s.inputs.slice(firstPart));
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
    expect(second.logs()).toContain('"stopped"');
    const deliveredAtStop = new Map(deliveries);

    const third = start();
    await ready(third);
    await outputs(total, third);
    await new Promise((r) => setTimeout(r, 1500)); // late redeliveries would show here
    third.child.kill('SIGTERM');
    expect((await third.exit).code).toBe(0);

    // 0 lost, 0 extra, and each output is the stage's in-process answer for that request.
    expect([...seen.keys()].sort()).toEqual(s.inputs.map((r) => r.requestId).sort());
    for (const r of s.inputs) expect(seen.get(r.requestId)).toEqual(s.expected.get(r.requestId));
    // A graceful stop committed what it produced: nothing delivered before
    // SIGTERM was delivered again after the restart.
    const redeliveredAfterTerm = [...deliveredAtStop.keys()].filter(
      (id) => deliveries.get(id)! > deliveredAtStop.get(id)!,
    );
    expect(redeliveredAfterTerm).toEqual([]);
    const redelivered = [...deliveries.values()].reduce((a, n) => a + n - 1, 0);
    process.stderr.write(
      `stage-worker kill (${s.stage}): ${total} requests, ${atKill} outputs before SIGKILL, ` +
        `${redelivered} redelivered (recognised by request id), 0 lost\n`,
    );
    return { requests: total, atKill, redelivered };
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await reader.disconnect().catch(() => undefined);
    await broker.stop();
  }
}
