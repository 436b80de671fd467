import type { PairedComparison } from '@thoughtspace/metrics';
import type { Deployment, KubeApi } from './types';

export const VERSION_ANNOTATION = 'thoughtspace.io/model-version';

export interface PromotionRule {
  /** The metric the decision rests on, e.g. "NDCG@10". */
  metric: string;
  /** Significance level of the paired randomization test. */
  alpha: number;
  /** Smallest mean gain (challenger - champion) worth a rollout. */
  minGain: number;
}

export interface Decision {
  promote: boolean;
  metric: string;
  gain: number;
  pValue: number;
  reason: string;
}

/** Promote only on a gain that is both significant and large enough; a tie or a loss keeps the champion. */
export function decide(
  comparison: Record<string, PairedComparison>,
  rule: PromotionRule,
): Decision {
  const c = comparison[rule.metric];
  if (!c)
    throw new Error(
      `the comparison has no metric "${rule.metric}" (has ${Object.keys(comparison).join(', ')})`,
    );
  const gain = c.difference.mean;
  const base = { metric: rule.metric, gain, pValue: c.pValue };
  if (gain < rule.minGain)
    return {
      ...base,
      promote: false,
      reason: `gain ${gain.toFixed(4)} below the minimum ${rule.minGain}`,
    };
  if (c.pValue >= rule.alpha)
    return {
      ...base,
      promote: false,
      reason: `p = ${c.pValue.toFixed(4)} not below alpha ${rule.alpha}`,
    };
  return {
    ...base,
    promote: true,
    reason: `gain ${gain.toFixed(4)} with p = ${c.pValue.toFixed(4)}`,
  };
}

export interface RolloutOptions {
  api: KubeApi;
  deployments: string[];
  version: string;
  timeoutMs: number;
  pollMs: number;
  log: (line: string) => void;
}

/** Rollout state of one Deployment, as `kubectl rollout status` reads it. */
export function rolloutState(d: Deployment): 'done' | 'progressing' | 'failed' {
  const s = d.status ?? {};
  const stuck = s.conditions?.some(
    (c) =>
      c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
  if (stuck) return 'failed';
  const want = d.spec.replicas ?? 1;
  const fresh = (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
  if (
    fresh &&
    (s.updatedReplicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want
  )
    return 'done';
  return 'progressing';
}

/** Current model version of each Deployment (its pod-template annotation). */
export async function currentVersions(
  api: KubeApi,
  deployments: string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of deployments) {
    const d = await api.getDeployment(name);
    out[name] = d.spec.template.metadata?.annotations?.[VERSION_ANNOTATION] ?? '';
  }
  return out;
}

/**
 * Rolls every serving Deployment to `version` (pod-template annotation; the
 * chart passes it to the containers through the downward API) and waits
 * for each rollout. Returns the Deployments that did not finish.
 */
export async function rollTo(o: RolloutOptions): Promise<{ ok: boolean; failed: string[] }> {
  for (const name of o.deployments) {
    await o.api.patchDeployment(name, {
      spec: { template: { metadata: { annotations: { [VERSION_ANNOTATION]: o.version } } } },
    });
    o.log(`rollout: ${name} -> ${o.version}`);
  }
  const failed: string[] = [];
  const deadline = Date.now() + o.timeoutMs;
  const pending = new Set(o.deployments);
  while (pending.size && Date.now() < deadline) {
    for (const name of [...pending]) {
      const state = rolloutState(await o.api.getDeployment(name));
      if (state === 'progressing') continue;
      pending.delete(name);
      if (state === 'failed') failed.push(name);
      o.log(
        `rollout: ${name} ${state === 'done' ? 'finished' : 'failed (progress deadline exceeded)'}`,
      );
    }
    if (pending.size) await new Promise((r) => setTimeout(r, o.pollMs));
  }
  for (const name of pending) {
    failed.push(name);
    o.log(`rollout: ${name} did not finish within ${o.timeoutMs} ms`);
  }
  return { ok: failed.length === 0, failed };
}
