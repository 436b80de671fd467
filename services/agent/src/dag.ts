import type { Job } from './types';

/** One stage of the training DAG: a container command that runs as a Job. */
export interface Stage {
  name: string;
  /** Stages that must have succeeded first. */
  after: string[];
  /** The container's args after the CLI entry point; `{artifacts}`, `{dataset}`, `{seed}` are substituted. */
  args: string[];
  /** Ask for a GPU (model-training stages on a GPU node pool). */
  gpu?: boolean;
}

/**
 * The default DAG, in terms of CLI commands that exist today. The reasoning
 * stages (positive rationales, Thought Space, trees, scorer) run inside
 * `thoughtspace run` as one Job, resumable from its run folder; they become
 * separate Jobs when the CLI grows per-stage commands.
 */
export const DEFAULT_STAGES: Stage[] = [
  {
    name: 'prepare',
    after: [],
    args: ['data', 'prepare', '--dataset', '{dataset}', '--out', '{artifacts}/data'],
  },
  {
    name: 'sasrec',
    after: ['prepare'],
    args: [
      'train',
      'sasrec',
      '--dataset',
      '{artifacts}/data',
      '--out',
      '{artifacts}/sasrec',
      '--seed',
      '{seed}',
    ],
    gpu: true,
  },
  {
    name: 'reasoning',
    after: ['sasrec'],
    args: ['run', '--dataset', '{artifacts}/data', '--out', '{artifacts}/run', '--seed', '{seed}'],
    gpu: true,
  },
  {
    name: 'evaluate',
    after: ['reasoning'],
    // The reasoning stage's main job wrote the served method's test
    // predictions; eval checks them and writes the table the agent logs.
    args: [
      'eval',
      '--predictions',
      '{artifacts}/run/evaluation/predictions.jsonl',
      '--out',
      '{artifacts}/evaluation/metrics.json',
    ],
  },
];

export class DagError extends Error {}

/** Stages in a stable topological order (ties by declaration order); rejects cycles and unknown deps. */
export function topologicalOrder(stages: readonly Stage[]): Stage[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  if (byName.size !== stages.length) throw new DagError('stage names must be unique');
  for (const s of stages)
    for (const d of s.after)
      if (!byName.has(d)) throw new DagError(`stage "${s.name}" depends on unknown stage "${d}"`);
  const done = new Set<string>();
  const order: Stage[] = [];
  while (order.length < stages.length) {
    const next = stages.find((s) => !done.has(s.name) && s.after.every((d) => done.has(d)));
    if (!next)
      throw new DagError(
        `the stages ${stages
          .filter((s) => !done.has(s.name))
          .map((s) => s.name)
          .join(', ')} form a cycle`,
      );
    done.add(next.name);
    order.push(next);
  }
  return order;
}

export interface JobContext {
  runId: string;
  namespace: string;
  image: string;
  /** PVC holding datasets and artifacts, mounted at /artifacts. */
  pvc: string;
  dataset: string;
  seed: number;
  /** Model version this run produces (artifacts under /artifacts/<version>). */
  version: string;
  gpu: boolean;
  activeDeadlineSeconds: number;
}

export const LABELS = {
  app: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
  run: 'thoughtspace.io/run',
  stage: 'thoughtspace.io/stage',
  attempt: 'thoughtspace.io/attempt',
} as const;

export function jobName(runId: string, stage: string, attempt: number): string {
  return `ts-${runId}-${stage}-${attempt}`.toLowerCase().slice(0, 63).replace(/-+$/, '');
}

export function runSelector(runId: string): string {
  return `${LABELS.run}=${runId}`;
}

/** The Job of one stage attempt: secure pod defaults, artifacts on the shared PVC, no retries of its own (the agent retries). */
export function stageJob(stage: Stage, attempt: number, ctx: JobContext): Job {
  const artifacts = `/artifacts/${ctx.version}`;
  const args = stage.args.map((a) =>
    a
      .replace('{artifacts}', artifacts)
      .replace('{dataset}', ctx.dataset)
      .replace('{seed}', String(ctx.seed)),
  );
  const gpu = Boolean(stage.gpu && ctx.gpu);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(ctx.runId, stage.name, attempt),
      namespace: ctx.namespace,
      labels: {
        [LABELS.app]: 'thoughtspace-training',
        [LABELS.managedBy]: 'thoughtspace-agent',
        [LABELS.run]: ctx.runId,
        [LABELS.stage]: stage.name,
        [LABELS.attempt]: String(attempt),
      },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: ctx.activeDeadlineSeconds,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels: { [LABELS.run]: ctx.runId, [LABELS.stage]: stage.name } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(gpu
            ? {
                nodeSelector: { 'nvidia.com/gpu.present': 'true' },
                tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
              }
            : {}),
          containers: [
            {
              name: stage.name,
              image: ctx.image,
              args,
              env: [
                { name: 'THOUGHTSPACE_DATA', value: '/artifacts/datasets' },
                { name: 'ORT_EXECUTION_PROVIDER', value: gpu ? 'cuda' : 'cpu' },
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: gpu
                ? {
                    limits: { 'nvidia.com/gpu': '1', memory: '16Gi' },
                    requests: { cpu: '2', memory: '8Gi' },
                  }
                : { limits: { memory: '8Gi' }, requests: { cpu: '2', memory: '4Gi' } },
              volumeMounts: [
                { name: 'artifacts', mountPath: '/artifacts' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'artifacts', persistentVolumeClaim: { claimName: ctx.pvc } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

/** Terminal state of a Job from its conditions. */
export function jobOutcome(job: Job): 'succeeded' | 'failed' | 'running' {
  const c = job.status?.conditions ?? [];
  if (c.some((x) => x.type === 'Complete' && x.status === 'True')) return 'succeeded';
  if (c.some((x) => x.type === 'Failed' && x.status === 'True')) return 'failed';
  return 'running';
}
