import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');
const BUILD = path.join(ROOT, 'tools/broker/build.sh');
const BINARY = path.join(ROOT, 'tools/broker/dist/broker');

/** Kafka protocol ApiKeys used with `errors` (see the Kafka protocol guide). */
export const API_KEYS = { Produce: 0, Fetch: 1, OffsetCommit: 8, JoinGroup: 11 } as const;
/** Kafka protocol error codes used with `errors`. */
export const KAFKA_ERRORS = {
  NOT_LEADER_FOR_PARTITION: 6,
  REQUEST_TIMED_OUT: 7,
  NOT_ENOUGH_REPLICAS: 19,
} as const;

export interface TestBroker {
  /** host:port,host:port,... of the mock cluster. */
  bootstrap: string;
  brokers: string[];
  /** Send one fault command; resolves with the broker's "ok ..." line, rejects on "error ...". */
  command(line: string): Promise<string>;
  down(brokerId: number): Promise<string>;
  up(brokerId: number): Promise<string>;
  rtt(brokerId: number, ms: number): Promise<string>;
  requestErrors(apiKey: number, codes: number[]): Promise<string>;
  moveLeader(topic: string, partition: number, brokerId: number): Promise<string>;
  stop(): Promise<void>;
}

export interface StartBrokerOptions {
  /** name -> partitions; the mock cannot create topics later (no CreateTopics). */
  topics: Record<string, number>;
  /** Mock brokers (ids 1..n), default 3. */
  brokers?: number;
}

/** Build (once; skipped when up to date) the mock-cluster harness in tools/broker. */
export function buildBroker(): string {
  const r = spawnSync('bash', [BUILD], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tools/broker/build.sh failed: ${r.stderr || r.stdout}`);
  return BINARY;
}

/** Start librdkafka's mock cluster with the topics created, and wait for its bootstrap address. */
export async function startBroker(options: StartBrokerOptions): Promise<TestBroker> {
  const binary = buildBroker();
  const args = ['--brokers', String(options.brokers ?? 3)];
  for (const [name, partitions] of Object.entries(options.topics))
    args.push(`${name}:${partitions}`);
  const child: ChildProcess = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  const early: string[] = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const nextLine = (what: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const line = early.shift();
      if (line !== undefined) return resolve(line);
      const timer = setTimeout(() => reject(new Error(`broker: no answer to ${what}`)), 10_000);
      waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
      void exited.then(() => reject(new Error(`broker exited before ${what}: ${stderr.trim()}`)));
    });
  const first = await nextLine('start');
  if (!first.startsWith('bootstrap ')) throw new Error(`broker: unexpected first line ${first}`);
  const bootstrap = first.slice('bootstrap '.length).trim();
  let queue = Promise.resolve('');
  const command = (line: string): Promise<string> => {
    queue = queue
      .catch(() => '')
      .then(async () => {
        child.stdin!.write(`${line}\n`);
        const answer = await nextLine(line);
        if (!answer.startsWith('ok ')) throw new Error(`broker: ${line}: ${answer}`);
        return answer;
      });
    return queue;
  };
  return {
    bootstrap,
    brokers: bootstrap.split(','),
    command,
    down: (id) => command(`down ${id}`),
    up: (id) => command(`up ${id}`),
    rtt: (id, ms) => command(`rtt ${id} ${ms}`),
    requestErrors: (apiKey, codes) => command(`errors ${apiKey} ${codes.join(' ')}`),
    moveLeader: (topic, partition, id) => command(`leader ${topic} ${partition} ${id}`),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
