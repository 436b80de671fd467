import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { envOf, podSpecOf, securityViolations, type Container } from './pod-checks';
import { byKind, REPO, run, template, tools, type K8sObject } from './tools';
import { validateObjects } from './validate';

const CHART = join(REPO, 'charts', 'thoughtspace-training');
const CI = join(CHART, 'ci');
const SCENARIOS = readdirSync(CI).filter((f) => f.endsWith('.yaml'));
const SHARED_DATA = join(REPO, '..', 'shared', 'data');
const scratch = mkdtempSync(join(tmpdir(), 'ts-training-'));

function valuesFile(name: string, values: unknown): string {
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, stringify(values));
  return file;
}
const job = (objects: K8sObject[], name: string): Container =>
  podSpecOf(byKind(objects, 'Job').get(name)!).containers[0];

beforeAll(() => tools());

test('the chart has its ci/ scenarios', () => {
  expect(SCENARIOS.sort()).toEqual([
    'gpu-values.yaml',
    'minimal-cpu-values.yaml',
    'resume-existing-pvc-values.yaml',
  ]);
});

describe.each(SCENARIOS)('scenario %s', (scenario) => {
  test('lints, renders, validates, and every Job is secure and on the workspace PVC', async () => {
    const lint = await run(tools().helm, ['lint', '--strict', CHART, '-f', join(CI, scenario)]);
    expect(lint.code).toBe(0);
    const objects = await template(CHART, [join(CI, scenario)]);
    expect(validateObjects(objects)).toEqual([]);
    const jobs = byKind(objects, 'Job');
    expect(jobs.size).toBeGreaterThanOrEqual(3);
    for (const [name, j] of jobs) {
      const pod = podSpecOf(j);
      expect(securityViolations(name, pod)).toEqual([]);
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.volumes?.find((v) => v.name === 'workspace')?.persistentVolumeClaim).toBeDefined();
      expect((j.spec as { backoffLimit: number }).backoffLimit).toBeGreaterThan(0);
    }
  });
});

test('stages without a CLI command stay disabled; the existing ones run their commands', async () => {
  const objects = await template(CHART, [join(CI, 'minimal-cpu-values.yaml')]);
  const names = [...byKind(objects, 'Job').keys()].sort();
  expect(names).toEqual([
    'ts-thoughtspace-training-run-1-evaluation',
    'ts-thoughtspace-training-run-1-prepare',
    'ts-thoughtspace-training-run-1-sasrec',
  ]);
  const sasrec = job(objects, 'ts-thoughtspace-training-run-1-sasrec');
  expect(sasrec.command!.slice(4)).toEqual([
    'node',
    'packages/cli/dist/bin.js',
    'train',
    'sasrec',
    '--dataset',
    '/workspace/runs/run-1/data',
    '--out',
    '/workspace/runs/run-1/sasrec',
    '--seed',
    '1',
    '--epochs',
    '20',
  ]);
  expect(envOf(sasrec).get('STAGE_NEEDS')).toBe('prepare=data');
  expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(1);
});

test('GPU stages: pool, GPU limit, CUDA image and provider; CPU stages untouched', async () => {
  const objects = await template(CHART, [join(CI, 'gpu-values.yaml')]);
  const jobs = byKind(objects, 'Job');
  const gpu = jobs.get('ts-thoughtspace-training-run-1-sasrec')!;
  const pod = podSpecOf(gpu);
  expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
  expect(pod.tolerations).toContainEqual({
    key: 'nvidia.com/gpu',
    operator: 'Exists',
    effect: 'NoSchedule',
  });
  expect(pod.containers[0].resources?.limits?.['nvidia.com/gpu']).toBe(1);
  expect(pod.containers[0].image).toBe('ghcr.io/thoughtspace/thoughtspace:0.1.0-cuda12');
  expect(envOf(pod.containers[0]).get('ORT_EXECUTION_PROVIDER')).toBe('cuda');
  const cpu = podSpecOf(jobs.get('ts-thoughtspace-training-run-1-prepare')!);
  expect(cpu.nodeSelector).toBeUndefined();
  expect(cpu.containers[0].image).toBe('ghcr.io/thoughtspace/thoughtspace:0.1.0');
});

test('bad values are rejected naming the key', async () => {
  const typo = valuesFile('typo', { stageDefaults: { backofLimit: 3 } });
  let res = await run(tools().helm, ['template', 'ts', CHART, '-f', typo]);
  expect(res.code).not.toBe(0);
  expect(res.stderr).toMatch(/stageDefaults.*backofLimit/);
  const stub = valuesFile('stub', { stages: { trees: { enabled: true } } });
  res = await run(tools().helm, ['template', 'ts', CHART, '-f', stub]);
  expect(res.code).not.toBe(0);
  expect(res.stderr).toMatch(/stages\.trees\.args is empty/);
  const badRun = valuesFile('bad-run', { runId: 'Run_1' });
  res = await run(tools().helm, ['template', 'ts', CHART, '-f', badRun]);
  expect(res.stderr).toMatch(/runId/);
});

/** Run a rendered Job's container command here, as its pod would, with its env. */
function runJob(c: Container): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  env.HOME = scratch;
  env.WAIT_POLL_SECONDS = '1';
  return new Promise((done) => {
    const child = spawn(c.command![0], c.command!.slice(1), { cwd: REPO, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, output }));
  });
}

describe('the rendered stage script, run here against the built CLI', () => {
  const workspace = join(scratch, 'workspace');
  const local = valuesFile('local', {
    cli: [process.execPath, join(REPO, 'packages', 'cli', 'dist', 'bin.js')],
    workspace: { mountPath: workspace },
    dataRoot: SHARED_DATA,
    dataset: 'ml-100k',
    stageDefaults: { waitTimeoutSeconds: 2 },
  });
  // Needs `npm run build` (npm test builds first).
  test('prepare runs, marks done, and a rerun resumes by skipping it', async () => {
    const objects = await template(CHART, [join(CI, 'minimal-cpu-values.yaml'), local]);
    const prepare = job(objects, 'ts-thoughtspace-training-run-1-prepare');
    const first = await runJob(prepare);
    expect(first.output).toContain('stage prepare: done');
    expect(first.code).toBe(0);
    const out = join(workspace, 'runs', 'run-1', 'data');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).name).toBe('ml-100k');
    expect(existsSync(join(out, '.done'))).toBe(true);
    const again = await runJob(prepare);
    expect(again.code).toBe(0);
    expect(again.output).toContain('.done exists, skipping (resume)');
    // A stage whose input is not done waits, then fails naming what it waited for.
    const evaluation = job(objects, 'ts-thoughtspace-training-run-1-evaluation');
    const blocked = await runJob(evaluation);
    expect(blocked.code).not.toBe(0);
    expect(blocked.output).toMatch(/gave up after \d+s waiting for stage sasrec/);
  }, 60_000);
});
