import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials } from '@grpc/grpc-js';
import { markovScorer, popularityScorer } from '@thoughtspace/baselines';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';
import {
  EVENT_TYPES,
  TOPICS,
  createKafka,
  createProducer,
  deadLetterTopic,
  eventHeaders,
  predictionCodec,
} from '@thoughtspace/kafka';
import { compareRanks, pairedCompare, perCase, rankOfTarget } from '@thoughtspace/metrics';
import { EvaluatorClient, GetMetricsRequest, type GetMetricsResponse } from '@thoughtspace/proto';
import { startBroker, type TestBroker } from '../kafka/broker';
import { startEvaluatorProcess, waitFor, type EvaluatorProcess } from '../kafka/fixtures';
import { unaryCall } from '../grpc-helpers';

// The pipeline agent as a real process, against a local HTTP double of the
// Kubernetes API (no API server can run here): every request it makes is
// recorded, and every body is validated against the Kubernetes schemas by
// the double. The challenger/champion comparison goes through a real
// evaluator over gRPC (its Compare on the versions' predictions files: real
// popularity and first-order Markov scores on luxury-beauty-2018's test
// split), and the live metrics come from the same evaluator's streaming
// side, fed predictions of several model versions through librdkafka's mock
// cluster.
const ROOT = resolve(__dirname, '..', '..');
const AGENT = join(ROOT, 'services', 'agent', 'dist', 'main.js');
const NS = 'ts-test';
const DEPLOYMENTS = ['thoughtspace-candidate-gen', 'thoughtspace-scorer'];
const RESAMPLES = 100;
const LIVE_USERS = 300;

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  body: { metadata?: { name?: string; labels?: Record<string, string> } } & Record<string, unknown>;
}

/** One test case of the split as a predictions-file line, scored by one model. */
interface Line {
  user: string;
  candidates: string[];
  scores: number[];
  target: string;
}

let double: ChildProcess;
let base = '';
let artifacts = '';
let kubeconfig = '';
let broker: TestBroker | undefined;
let evaluator: EvaluatorProcess | undefined;
let evaluatorAddress = '';
let client: EvaluatorClient;
const lines: Record<'popularity' | 'markov', Line[]> = { popularity: [], markov: [] };

async function control(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}/_double/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`double ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function deployment(name: string, version: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          annotations: { 'thoughtspace.io/model-version': version },
        },
        spec: { containers: [{ name: 'server', image: 'thoughtspace:0.1.0-cpu' }] },
      },
    },
  };
}

async function runAgent(env: Record<string, string>) {
  const before = ((await control('requests')) as Recorded[]).length;
  const child = spawn(process.execPath, [AGENT, 'run'], {
    env: {
      PATH: process.env.PATH,
      KUBECONFIG: kubeconfig,
      AGENT_NAMESPACE: NS,
      AGENT_EVALUATOR_ADDRESS: evaluatorAddress,
      AGENT_DEPLOYMENTS: DEPLOYMENTS.join(','),
      AGENT_ROLLOUT_TIMEOUT_S: '10',
      AGENT_ROLLOUT_POLL_MS: '50',
      AGENT_RESAMPLES: String(RESAMPLES),
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number>((ok) => child.on('exit', (c) => ok(c ?? -1)));
  clearTimeout(timer);
  const last = stdout.trim().split('\n').pop() ?? '';
  const requests = ((await control('requests')) as Recorded[]).slice(before);
  return { code, outcome: last ? JSON.parse(last) : undefined, stderr, requests };
}

const jobPosts = (reqs: Recorded[]) =>
  reqs
    .filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'))
    .map((r) => r.body.metadata?.name);

const deploymentVersions = (reqs: Recorded[]) =>
  reqs
    .filter((r) => r.method === 'PATCH' && r.path.includes('/deployments/'))
    .map((p) => JSON.stringify(p.body).match(/model-version":"(v\d)/)?.[1]);

async function statusOf(runId: string): Promise<Record<string, unknown>> {
  const objects = (await control('objects')) as Record<string, { data?: Record<string, string> }>;
  return JSON.parse(
    objects[`ConfigMap/${NS}/thoughtspace-agent-${runId}`].data?.['status.json'] ?? '{}',
  );
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

const rankOf = (l: Line) => rankOfTarget(l.scores, l.candidates.indexOf(l.target));

/** Live predictions of one model version, as the scorer stage produces them. */
async function publishLive(version: string, cases: Line[], manifestHash: string): Promise<void> {
  const kafka = createKafka({
    config: { brokers: broker!.brokers, clientId: 'test-live', ssl: false },
  });
  const producer = createProducer({ kafka });
  await producer.connect();
  try {
    await producer.send({
      topic: TOPICS.predictions,
      messages: cases.map((c) => {
        const requestId = `${version}-${c.user}`;
        return {
          key: c.user,
          value: predictionCodec.encode({
            header: {
              requestId,
              userId: c.user,
              producedAtUnixMs: Date.now(),
              datasetManifestHash: manifestHash,
            },
            prediction: {
              userId: c.user,
              candidateItemIds: c.candidates,
              scores: c.scores,
              targetItemId: c.target,
              method: 'thought-space',
              provider: 'embedded',
              modelVersion: version,
            },
          }),
          headers: eventHeaders(EVENT_TYPES.prediction, requestId),
        };
      }),
    });
  } finally {
    await producer.disconnect();
  }
}

/** What the streaming evaluator serves for one version: cumulative cases, or 0. */
async function liveCases(version: string): Promise<number> {
  const res = await unaryCall<GetMetricsRequest, GetMetricsResponse>(
    client.getMetrics,
    client,
    GetMetricsRequest.fromPartial({ modelVersion: version }),
  ).catch(() => undefined);
  return Number(res?.metrics.find((m) => m.window === 'cumulative')?.cases ?? 0);
}

// A broken model (a sign bug) ranks every case upside down.
const broken = (l: Line): Line => ({ ...l, scores: l.scores.map((x) => -x) });

beforeAll(async () => {
  double = spawn(process.execPath, [join(__dirname, 'k8s-api-double.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((ok, fail) => {
    createInterface({ input: double.stdout as NodeJS.ReadableStream }).once('line', (l) =>
      ok(l.split(' ')[1]),
    );
    double.once('exit', (c) => fail(new Error(`double exited ${c}`)));
  });
  base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'agent-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: double, cluster: {server: "' +
        base +
        '", insecure-skip-tls-verify: true}}]',
      'users: [{name: tester, user: {token: "not-a-secret"}}]',
      'contexts: [{name: double, context: {cluster: double, user: tester, namespace: ' + NS + '}}]',
      'current-context: double',
      '',
    ].join('\n'),
  );

  // Real predictions of two models on every test user: popularity and
  // first-order Markov, 1 + 9 sampled candidates.
  const { dataset, manifest } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
  const loo = leaveOneOut(dataset);
  const set = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    protocol: parseProtocol('sampled:9'),
    seed: 1,
    loo,
  });
  const fit = { sequences: sequencesBefore(loo, 'test'), numItems: dataset.itemIds.length };
  const scorers = { popularity: popularityScorer(fit), markov: markovScorer(fit) };
  set.cases.forEach((c, i) => {
    const items = set.candidates[i].items;
    for (const [name, scorer] of Object.entries(scorers))
      lines[name as keyof typeof lines].push({
        user: dataset.userIds[c.user],
        candidates: Array.from(items, (it) => dataset.itemIds[it]),
        scores: Array.from(scorer.score({ user: c.user, history: c.history, candidates: items })),
        target: dataset.itemIds[c.target],
      });
  });

  // The evaluation stage's output per version, on the PVC the evaluator
  // mounts as PREDICTIONS_DIR: v1 popularity (champion), v2 and v4-v6 Markov
  // (a real, significant gain), v3 popularity again (a tie).
  artifacts = join(dir, 'artifacts');
  const write = (version: string, model: keyof typeof lines) => {
    mkdirSync(join(artifacts, version, 'run', 'evaluation'), { recursive: true });
    writeFileSync(
      join(artifacts, version, 'run', 'evaluation', 'predictions.jsonl'),
      lines[model].map((l) => JSON.stringify(l)).join('\n') + '\n',
    );
  };
  write('v1', 'popularity');
  write('v3', 'popularity');
  for (const v of ['v2', 'v4', 'v5', 'v6']) write(v, 'markov');

  // One evaluator process: gRPC (Compare, GetMetrics) and the streaming side.
  broker = await startBroker({
    topics: {
      [TOPICS.predictions]: 2,
      [TOPICS.interactions]: 1,
      [TOPICS.metrics]: 1,
      [deadLetterTopic('ev')]: 1,
    },
    brokers: 1,
  });
  const grpcPort = await freePort();
  evaluatorAddress = `127.0.0.1:${grpcPort}`;
  evaluator = startEvaluatorProcess({
    KAFKA_BROKERS: broker.bootstrap,
    EVALUATOR_GROUP_ID: 'ev',
    EVALUATOR_CHECKPOINT: join(dir, 'checkpoint.json'),
    EVALUATOR_RESAMPLES: '100',
    EVALUATOR_METRICS_INTERVAL_MS: '200',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    PREDICTIONS_DIR: artifacts,
    MAX_BOOTSTRAP_RESAMPLES: '10000',
  });
  client = new EvaluatorClient(evaluatorAddress, credentials.createInsecure());

  // Live traffic: the champion v1 (popularity) on 300 users; v4 broken on the
  // same users; v5 as good as v1 but for two cases ranked last (a shade
  // worse, within the margin); v6 broken, but only 20 cases.
  const live = lines.popularity.slice(0, LIVE_USERS);
  const v5 = live.map((l, i) => (i < 2 ? broken(l) : l));
  await publishLive('v1', live, manifest.hash);
  await publishLive('v4', live.map(broken), manifest.hash);
  await publishLive('v5', v5, manifest.hash);
  await publishLive('v6', live.slice(0, 20).map(broken), manifest.hash);
  const want: Record<string, number> = { v1: LIVE_USERS, v4: LIVE_USERS, v5: LIVE_USERS, v6: 20 };
  await waitFor(
    'the streaming evaluator to serve every live version',
    async () => {
      for (const [v, n] of Object.entries(want)) if ((await liveCases(v)) !== n) return undefined;
      return true;
    },
    90_000,
    () => evaluator?.logs().slice(-1500) ?? '',
  );
}, 240_000);

afterAll(async () => {
  double?.kill('SIGTERM');
  client?.close();
  await evaluator?.kill('SIGTERM');
  await broker?.stop();
});

describe('pipeline agent against a Kubernetes API double and a real evaluator', () => {
  // Every scenario starts from the champion v1 serving.
  beforeEach(async () => {
    for (const name of DEPLOYMENTS) await control('deployments', deployment(name, 'v1'));
  });

  it('runs the whole DAG as Jobs in order and promotes a significant gain', async () => {
    await control('config', {
      jobOutcomes: {},
      expireWatchAfterJobEvents: 0,
      rolloutFailVersions: [],
    });
    const {
      code,
      outcome,
      stderr,
      requests: reqs,
    } = await runAgent({ AGENT_RUN_ID: 'full', AGENT_VERSION: 'v2' });
    expect({ code, kind: outcome?.kind }).toEqual({ code: 0, kind: 'promoted' });
    expect(outcome.decision.gain).toBeGreaterThan(0.002);
    expect(outcome.decision.pValue).toBeLessThan(0.05);
    // The evaluator's Compare is the metrics package's paired test on the
    // versions' ranks, aligned by user id (computed here independently).
    const order = lines.markov
      .map((_, i) => i)
      .sort((a, b) => (lines.markov[a].user < lines.markov[b].user ? -1 : 1));
    const expected = pairedCompare(
      perCase(
        'NDCG@10',
        order.map((i) => rankOf(lines.markov[i])),
      ),
      perCase(
        'NDCG@10',
        order.map((i) => rankOf(lines.popularity[i])),
      ),
      { seed: 1, resamples: RESAMPLES, permutations: RESAMPLES },
    );
    expect(outcome.decision.gain).toBeCloseTo(expected.difference.mean, 12);
    expect(outcome.decision.pValue).toBe(expected.pValue);
    expect(jobPosts(reqs)).toEqual([
      'ts-full-prepare-1',
      'ts-full-sasrec-1',
      'ts-full-reasoning-1',
      'ts-full-evaluate-1',
    ]);
    const job = reqs.find((r) => r.method === 'POST' && r.path.endsWith('/jobs'))?.body as {
      spec: { backoffLimit: number; template: { spec: Record<string, unknown> } };
    };
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    // Each Deployment got one merge patch to v2, and the status object ended "promoted".
    const patches = reqs.filter((r) => r.method === 'PATCH' && r.path.includes('/deployments/'));
    expect(patches.map((p) => p.contentType)).toEqual(
      DEPLOYMENTS.map(() => 'application/merge-patch+json'),
    );
    expect(JSON.stringify(patches.map((p) => p.body))).toContain(
      '"thoughtspace.io/model-version":"v2"',
    );
    const status = (await statusOf('full')) as {
      phase: string;
      comparedUsers: number;
      stages: { state: string }[];
    };
    expect(status.phase).toBe('promoted');
    expect(status.comparedUsers).toBe(lines.markov.length);
    expect(status.stages.map((s: { state: string }) => s.state)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(stderr).toContain('stage evaluate: job ts-full-evaluate-1 succeeded');
  });

  it('retries a failed stage as a new Job, and keeps the champion on a tie', async () => {
    await control('config', { jobOutcomes: { sasrec: ['failed', 'succeeded'] } });
    const {
      code,
      outcome,
      requests: reqs,
    } = await runAgent({ AGENT_RUN_ID: 'retry', AGENT_VERSION: 'v3' });
    expect({ code, kind: outcome?.kind }).toEqual({ code: 0, kind: 'kept-champion' });
    expect(outcome.decision.gain).toBe(0);
    expect(jobPosts(reqs)).toEqual([
      'ts-retry-prepare-1',
      'ts-retry-sasrec-1',
      'ts-retry-sasrec-2',
      'ts-retry-reasoning-1',
      'ts-retry-evaluate-1',
    ]);
    expect(
      reqs.filter((r) => r.method === 'PATCH' && r.path.includes('/deployments/')),
    ).toHaveLength(0);
  });

  it('stops after the last attempt of a stage that keeps failing', async () => {
    await control('config', { jobOutcomes: { reasoning: ['failed', 'failed', 'failed'] } });
    const { code, outcome, requests } = await runAgent({
      AGENT_RUN_ID: 'broken',
      AGENT_VERSION: 'v2',
    });
    expect({ code, kind: outcome?.kind, failed: outcome?.dag?.failedStage }).toEqual({
      code: 1,
      kind: 'dag-failed',
      failed: 'reasoning',
    });
    expect(jobPosts(requests)).toEqual([
      'ts-broken-prepare-1',
      'ts-broken-sasrec-1',
      'ts-broken-reasoning-1',
      'ts-broken-reasoning-2',
      'ts-broken-reasoning-3',
    ]);
  });

  it('re-lists after 410 Gone during a watch and still finishes', async () => {
    await control('config', { jobOutcomes: {}, expireWatchAfterJobEvents: 3 });
    const { code, outcome, stderr, requests } = await runAgent({
      AGENT_RUN_ID: 'gone',
      AGENT_VERSION: 'v3',
    });
    expect({ code, kind: outcome?.kind }).toEqual({ code: 0, kind: 'kept-champion' });
    expect(stderr).toContain('410 Gone');
    const lists = requests.filter(
      (r) => r.method === 'GET' && r.path.endsWith('/jobs') && r.query.watch !== 'true',
    );
    expect(lists.length).toBeGreaterThanOrEqual(2);
  });

  it('rolls back to the champion when the rollout fails', async () => {
    await control('config', {
      jobOutcomes: {},
      expireWatchAfterJobEvents: 0,
      rolloutFailVersions: ['v2'],
    });
    const { code, outcome, requests } = await runAgent({
      AGENT_RUN_ID: 'rollback',
      AGENT_VERSION: 'v2',
    });
    expect({ code, kind: outcome?.kind }).toEqual({ code: 1, kind: 'rolled-back' });
    expect(deploymentVersions(requests)).toEqual(['v2', 'v2', 'v1', 'v1']);
  });

  it('names the variable when the configuration is bad', async () => {
    const { code, stderr } = await runAgent({ AGENT_MAX_ATTEMPTS: 'many' });
    expect(code).toBe(2);
    expect(stderr).toContain('AGENT_MAX_ATTEMPTS="many" is not an integer');
    const bad = await runAgent({ AGENT_METRIC: 'ndcg', AGENT_EVALUATOR_ADDRESS: 'evaluator' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('AGENT_EVALUATOR_ADDRESS="evaluator" does not match');
    expect(bad.stderr).toContain('AGENT_METRIC="ndcg" is not one of HR@1, HR@5, HR@10');
  });

  it('keeps the champion when the evaluator says the challenger ranks other users', async () => {
    mkdirSync(join(artifacts, 'v7', 'run', 'evaluation'), { recursive: true });
    writeFileSync(
      join(artifacts, 'v7', 'run', 'evaluation', 'predictions.jsonl'),
      lines.markov
        .slice(1)
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    await control('config', { jobOutcomes: {}, expireWatchAfterJobEvents: 0 });
    const { code, stderr, requests } = await runAgent({
      AGENT_RUN_ID: 'users',
      AGENT_VERSION: 'v7',
    });
    expect(code).toBe(1);
    expect(stderr).toContain(
      `evaluator Compare: challenger and champion must rank the same users: 0 only in challenger (v7), 1 (e.g. ${lines.markov[0].user}) only in champion (v1)`,
    );
    expect(deploymentVersions(requests)).toEqual([]);
    expect((await statusOf('users')).phase).toBe('failed');
  });

  it('answers Compare to python3-grpcio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-py-'));
    const descriptors = join(dir, 'thoughtspace.binpb');
    const buf = spawnSync(
      process.execPath,
      [require.resolve('@bufbuild/buf/bin/buf', { paths: [ROOT] }), 'build', '-o', descriptors],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(buf.stderr).toBe('');
    const sample = lines.markov.slice(0, 500);
    const side = (name: string, ls: Line[]) => ({
      name,
      ranks: { user_ids: ls.map((l) => l.user), ranks: ls.map(rankOf) },
    });
    const champion = side('v1', lines.popularity.slice(0, 500));
    writeFileSync(
      join(dir, 'request.json'),
      JSON.stringify({
        request: {
          challenger: side('v2', sample),
          champion,
          bootstrap_resamples: 100,
          seed: '3',
        },
        bad: {
          users: { challenger: side('v2', sample.slice(1)), champion },
          missing: { challenger: side('v2', sample) },
        },
      }),
    );
    const py = spawnSync(
      '/usr/bin/python3',
      [
        join(ROOT, 'tests', 'python', 'compare_client.py'),
        descriptors,
        evaluatorAddress,
        join(dir, 'request.json'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(py.stderr).toBe('');
    const out = JSON.parse(py.stdout) as {
      compare: { users: string; deltas: { name: string; delta?: number; p_value: number }[] };
      errors: Record<string, { code: string; details: string }>;
    };
    const order = sample
      .map((_, i) => i)
      .sort((a, b) => (sample[a].user < sample[b].user ? -1 : 1));
    const expected = compareRanks(
      order.map((i) => rankOf(sample[i])),
      order.map((i) => rankOf(lines.popularity[i])),
      { seed: 3, resamples: 100, permutations: 100 },
    );
    expect(out.compare.users).toBe('500');
    const hr10 = out.compare.deltas.find((d) => d.name === 'hr@10')!;
    expect(hr10.delta ?? 0).toBeCloseTo(expected['HR@10'].difference.mean, 12);
    expect(hr10.p_value).toBe(expected['HR@10'].pValue);
    expect(out.errors.users.code).toBe('INVALID_ARGUMENT');
    expect(out.errors.users.details).toContain(
      'must rank the same users: 0 only in challenger (v2), 1',
    );
    expect(out.errors.missing).toEqual({
      code: 'INVALID_ARGUMENT',
      details: 'champion is required',
    });
  });

  describe('live metrics after a promotion (the streaming evaluator, per model version)', () => {
    const live = {
      AGENT_LIVE_WAIT_S: '2',
      AGENT_LIVE_MIN_CASES: '100',
      AGENT_LIVE_MARGIN: '0.01',
      AGENT_LIVE_METRIC: 'NDCG@10',
    };
    beforeEach(() =>
      control('config', { jobOutcomes: {}, expireWatchAfterJobEvents: 0, rolloutFailVersions: [] }),
    );

    it('serves each version apart: the operator sees them with `thoughtspace metrics`', () => {
      const cli = spawnSync(
        process.execPath,
        [
          join(ROOT, 'packages', 'cli', 'dist', 'bin.js'),
          'metrics',
          '--evaluator',
          evaluatorAddress,
          '--model-version',
          'v4',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(cli.status).toBe(0);
      const rows = cli.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
      expect(rows.filter((r) => r[0].includes('@')).map((r) => r.slice(0, 3))).toEqual([
        ['cumulative @v4', 'thought-space', String(LIVE_USERS)],
        ['last:1000 @v4', 'thought-space', String(LIVE_USERS)],
      ]);
    });

    it('rolls back when the new version is worse live than the champion', async () => {
      const { code, outcome, stderr, requests } = await runAgent({
        ...live,
        AGENT_RUN_ID: 'live-worse',
        AGENT_VERSION: 'v4',
      });
      expect({ code, kind: outcome?.kind }).toEqual({ code: 1, kind: 'rolled-back' });
      expect(outcome.decision.promote).toBe(true);
      expect(deploymentVersions(requests)).toEqual(['v4', 'v4', 'v1', 'v1']);
      expect(outcome.why).toMatch(
        /^live NDCG@10 \(cumulative\) of v4 0\.\d{4} over 300 cases is more than 0\.01 below the champion v1's 0\.\d{4} over 300 cases$/,
      );
      expect(stderr).toContain('rollback to v1');
      const status = (await statusOf('live-worse')) as {
        phase: string;
        live: { kind: string; challenger: { value: number }; champion: { value: number } };
      };
      expect(status.phase).toBe('rolled-back');
      expect(status.live.kind).toBe('worse');
      expect(status.live.champion.value - status.live.challenger.value).toBeGreaterThan(0.01);
    });

    it('keeps the new version when its live metric is within the margin', async () => {
      const { code, outcome, requests } = await runAgent({
        ...live,
        AGENT_RUN_ID: 'live-held',
        AGENT_VERSION: 'v5',
      });
      expect({ code, kind: outcome?.kind, live: outcome?.live?.kind }).toEqual({
        code: 0,
        kind: 'promoted',
        live: 'held',
      });
      const { challenger, champion } = outcome.live;
      // A shade worse (two cases ranked last), but by less than the margin.
      expect(challenger.value).toBeLessThan(champion.value);
      expect(champion.value - challenger.value).toBeLessThan(0.01);
      expect([challenger.cases, champion.cases]).toEqual([LIVE_USERS, LIVE_USERS]);
      expect(deploymentVersions(requests)).toEqual(['v5', 'v5']);
      expect((await statusOf('live-held')).phase).toBe('promoted');
    });

    it('takes no live decision before the minimum count, however bad the first cases', async () => {
      const { code, outcome, requests } = await runAgent({
        ...live,
        AGENT_RUN_ID: 'live-few',
        AGENT_VERSION: 'v6',
      });
      expect({ code, kind: outcome?.kind, live: outcome?.live?.kind }).toEqual({
        code: 0,
        kind: 'promoted',
        live: 'inconclusive',
      });
      expect(outcome.live.challenger.cases).toBe(20);
      expect(outcome.live.challenger.value).toBeLessThan(outcome.live.champion.value - 0.01);
      expect(outcome.live.reason).toContain('each needs 100 cases before a live decision');
      expect(deploymentVersions(requests)).toEqual(['v6', 'v6']);
      // The same cases decide once the minimum is theirs to meet.
      for (const name of DEPLOYMENTS) await control('deployments', deployment(name, 'v1'));
      const again = await runAgent({
        ...live,
        AGENT_LIVE_MIN_CASES: '20',
        AGENT_RUN_ID: 'live-few-2',
        AGENT_VERSION: 'v6',
      });
      expect(again.outcome?.kind).toBe('rolled-back');
    });
  });
});
