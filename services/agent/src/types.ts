/**
 * The slice of the Kubernetes API the agent uses, as plain objects. Only the
 * fields the agent reads or writes are typed; everything else passes through.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
}

export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Job {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status?: { conditions?: JobCondition[]; succeeded?: number; failed?: number };
}

export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    template: {
      metadata?: { annotations?: Record<string, string> };
      spec: Record<string, unknown>;
    };
  } & Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: { kind?: string; code?: number; reason?: string; message?: string } };

/** What the agent needs from the API server (implemented over @kubernetes/client-node). */
export interface KubeApi {
  createJob(job: Job): Promise<Job>;
  listJobs(labelSelector: string): Promise<{ items: Job[]; resourceVersion: string }>;
  /** Watch jobs from `resourceVersion`; `done` gets the error that ended the stream (null = server closed it). */
  watchJobs(
    labelSelector: string,
    resourceVersion: string,
    onEvent: (e: WatchEvent<Job>) => void,
    done: (err: unknown) => void,
  ): Promise<{ stop(): void }>;
  getDeployment(name: string): Promise<Deployment>;
  /** JSON merge patch (RFC 7386). */
  patchDeployment(name: string, patch: Record<string, unknown>): Promise<Deployment>;
  getConfigMap(name: string): Promise<ConfigMap | undefined>;
  createConfigMap(cm: ConfigMap): Promise<ConfigMap>;
  patchConfigMap(name: string, patch: Record<string, unknown>): Promise<ConfigMap>;
}

/** An API error with its HTTP status (404, 409, 410, ...). */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export function statusCodeOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown };
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}
