import type { K8sObject } from './tools';

/** The parts of a pod template the chart tests look at. */
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  ports?: { name: string; containerPort: number }[];
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, unknown> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}
export interface Probe {
  grpc?: { port: number; service?: string };
  periodSeconds?: number;
  failureThreshold?: number;
}
export interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  priorityClassName?: string;
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } }[];
  restartPolicy?: string;
}

export function podSpecOf(o: K8sObject): PodSpec {
  const spec = o.spec as { template: { spec: PodSpec } };
  return spec.template.spec;
}

export function envOf(c: Container): Map<string, string | undefined> {
  return new Map((c.env ?? []).map((e) => [e.name, e.value]));
}

const SECRET_NAME = /PASSWORD|API_KEY|TOKEN|SECRET/i;

/**
 * Secure pod defaults, as a list of violations (empty = all hold): non-root,
 * RuntimeDefault seccomp, no service-account token, and for every container
 * (init containers too) no privilege escalation, read-only root filesystem,
 * all capabilities dropped, CPU and memory limits, and secret-looking
 * variables only from Secrets.
 */
export function securityViolations(name: string, pod: PodSpec): string[] {
  const v: string[] = [];
  if (pod.automountServiceAccountToken !== false) v.push(`${name}: service-account token mounted`);
  if (pod.securityContext?.runAsNonRoot !== true) v.push(`${name}: pod runAsNonRoot not true`);
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault')
    v.push(`${name}: pod seccomp not RuntimeDefault`);
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    const where = `${name}/${c.name}`;
    if (sc.allowPrivilegeEscalation !== false) v.push(`${where}: privilege escalation allowed`);
    if (sc.readOnlyRootFilesystem !== true) v.push(`${where}: root filesystem writable`);
    if (sc.runAsNonRoot !== true) v.push(`${where}: runAsNonRoot not true`);
    if (!sc.capabilities?.drop?.includes('ALL')) v.push(`${where}: capabilities not dropped`);
    if ((sc.capabilities?.add ?? []).length > 0) v.push(`${where}: capabilities added`);
    if (sc.seccompProfile?.type !== 'RuntimeDefault')
      v.push(`${where}: seccomp not RuntimeDefault`);
    if (!c.resources?.limits?.cpu || !c.resources.limits.memory) v.push(`${where}: no limits`);
    for (const e of c.env ?? []) {
      if (SECRET_NAME.test(e.name) && e.value !== undefined)
        v.push(`${where}: ${e.name} has a literal value instead of a secretKeyRef`);
    }
  }
  return v;
}
