import { join } from 'node:path';
import { podSpecOf, securityViolations } from './pod-checks';
import { byKind, parseObjects, REPO, run, tools, type K8sObject } from './tools';
import { validateObjects } from './validate';

const CLUSTER_SCOPED = new Set(['Namespace', 'PriorityClass']);

async function kustomize(overlay: string): Promise<K8sObject[]> {
  const { kubectl, helm } = tools();
  const res = await run(kubectl, [
    'kustomize',
    '--enable-helm',
    '--helm-command',
    helm,
    join(REPO, 'k8s', 'overlays', overlay),
  ]);
  if (res.code !== 0) throw new Error(`kubectl kustomize ${overlay} failed: ${res.stderr}`);
  return parseObjects(res.stdout);
}

describe.each([
  ['dev', 'thoughtspace-dev'],
  ['prod', 'thoughtspace'],
])('overlay %s', (overlay, namespace) => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await kustomize(overlay);
  });

  test('renders the base and both charts, every object valid', () => {
    expect(validateObjects(objects)).toEqual([]);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace',
      'PriorityClass',
      'ResourceQuota',
      'LimitRange',
      'Deployment',
      'Job',
    ])
      expect(kinds).toContain(kind);
    expect(byKind(objects, 'Namespace').has(namespace)).toBe(true);
    const ns = byKind(objects, 'Namespace').get(namespace)!;
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('every namespaced object lands in the overlay namespace', () => {
    const stray = objects
      .filter((o) => !CLUSTER_SCOPED.has(o.kind))
      .filter((o) => (o.metadata as { namespace?: string }).namespace !== namespace)
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(stray).toEqual([]);
  });

  test('pods are secure and use PriorityClasses the base defines', () => {
    const classes = byKind(objects, 'PriorityClass');
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      const pod = podSpecOf(o);
      expect(securityViolations(o.metadata.name, pod)).toEqual([]);
      expect(pod.priorityClassName).toBeDefined();
      expect(classes.has(pod.priorityClassName!)).toBe(true);
    }
    const training = byKind<{ value: number; preemptionPolicy: string }>(objects, 'PriorityClass');
    expect(training.get('thoughtspace-training')!.value).toBeLessThan(
      training.get('thoughtspace-serving')!.value,
    );
    expect(training.get('thoughtspace-training')!.preemptionPolicy).toBe('Never');
  });
});

test('prod: GPU quota, KEDA on the consumers, GPU pods in the GPU class', async () => {
  const objects = await kustomize('prod');
  const quota = byKind<{ spec: { hard: Record<string, string> } }>(objects, 'ResourceQuota');
  expect(quota.get('thoughtspace')!.spec.hard['requests.nvidia.com/gpu']).toBe('8');
  // One per stage worker; the streaming evaluator is one replica, not scaled.
  expect([...byKind(objects, 'ScaledObject').keys()].sort()).toEqual([
    'ts-thoughtspace-candidate-gen-worker',
    'ts-thoughtspace-scorer-worker',
    'ts-thoughtspace-tot-selector-worker',
  ]);
  const cg = podSpecOf(byKind(objects, 'Deployment').get('ts-thoughtspace-candidate-gen')!);
  expect(cg.priorityClassName).toBe('thoughtspace-gpu');
  expect(cg.containers[0].resources?.limits?.['nvidia.com/gpu']).toBe(1);
});

test('dev: no GPU anywhere and a zero GPU quota', async () => {
  const objects = await kustomize('dev');
  const quota = byKind<{ spec: { hard: Record<string, string> } }>(objects, 'ResourceQuota');
  expect(quota.get('thoughtspace')!.spec.hard['requests.nvidia.com/gpu']).toBe('0');
  expect(quota.get('thoughtspace')!.spec.hard['requests.cpu']).toBe('8');
  const gpuPods = objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .filter((o) => podSpecOf(o).containers.some((c) => c.resources?.limits?.['nvidia.com/gpu']));
  expect(gpuPods).toEqual([]);
});
