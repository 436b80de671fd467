import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { evaluateScorer, markovScorer, popularityScorer } from '@thoughtspace/baselines';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
} from '@thoughtspace/data';

// The pipeline agent as a real process, against a local HTTP double of the
// Kubernetes API (no API server can run here): every request it makes is
// recorded, and every body is validated against the Kubernetes schemas by
// the double. The champion/challenger comparison runs on real per-user ranks
// (popularity vs first-order Markov on luxury-beauty-2018's test split).
const ROOT = resolve(__dirname, '..', '..');
const AGENT = join(ROOT, 'services', 'agent', 'dist', 'main.js');
const NS = 'ts-test';
const DEPLOYMENTS = ['thoughtspace-candidate-gen', 'thoughtspace-scorer'];

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  body: { metadata?: { name?: string; labels?: Record<string, string> } } & Record<string, unknown>;
}

let double: ChildProcess;
let base = '';
let artifacts = '';
let kubeconfig = '';

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
      AGENT_ARTIFACTS_DIR: artifacts,
      AGENT_DEPLOYMENTS: DEPLOYMENTS.join(','),
      AGENT_ROLLOUT_TIMEOUT_S: '10',
      AGENT_ROLLOUT_POLL_MS: '50',
      AGENT_RESAMPLES: '200',
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

  // Real per-user ranks for three model versions: v1 popularity (champion),
  // v2 Markov (a real, significant gain), v3 popularity again (a tie).
  artifacts = join(dir, 'artifacts');
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
  const users = set.cases.map((c) => dataset.userIds[c.user]);
  const write = (version: string, ranks: Int32Array) => {
    mkdirSync(join(artifacts, version, 'evaluation'), { recursive: true });
    writeFileSync(
      join(artifacts, version, 'evaluation', 'ranks.json'),
      JSON.stringify({ users, ranks: Array.from(ranks) }),
    );
  };
  const opts = { silent: true, resamples: 10 };
  const pop = evaluateScorer(set, popularityScorer(fit), opts).ranks;
  write('v1', pop);
  write('v2', evaluateScorer(set, markovScorer(fit), opts).ranks);
  write('v3', pop);
});

afterAll(() => {
  double?.kill('SIGTERM');
});

describe('pipeline agent against a Kubernetes API double', () => {
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
    const objects = (await control('objects')) as Record<string, { data?: Record<string, string> }>;
    const status = JSON.parse(
      objects[`ConfigMap/${NS}/thoughtspace-agent-full`].data?.['status.json'] ?? '{}',
    );
    expect(status.phase).toBe('promoted');
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
    const patches = requests.filter(
      (r) => r.method === 'PATCH' && r.path.includes('/deployments/'),
    );
    const versions = patches.map((p) => JSON.stringify(p.body).match(/model-version":"(v\d)/)?.[1]);
    expect(versions).toEqual(['v2', 'v2', 'v1', 'v1']);
  });

  it('names the variable when the configuration is bad', async () => {
    const { code, stderr } = await runAgent({ AGENT_MAX_ATTEMPTS: 'many' });
    expect(code).toBe(2);
    expect(stderr).toContain('AGENT_MAX_ATTEMPTS must be an integer in 1..10, got "many"');
  });
});
