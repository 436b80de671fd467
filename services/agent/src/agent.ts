import { LABELS, topologicalOrder, stageJob, type JobContext, type Stage } from './dag';
import type { EvaluatorPort } from './evaluator';
import { watchLive, type LiveRule, type LiveVerdict } from './live';
import { currentVersions, decide, rollTo, type Decision, type PromotionRule } from './promote';
import { runDag, type DagResult } from './runner';
import { StatusRecorder } from './status';
import type { KubeApi } from './types';

export interface AgentOptions {
  api: KubeApi;
  evaluator: EvaluatorPort;
  stages: readonly Stage[];
  context: JobContext;
  rule: PromotionRule;
  /** Serving Deployments rolled to the new version together. */
  deployments: string[];
  maxAttempts: number;
  rollout: { timeoutMs: number; pollMs: number };
  /** Live-metric rollback after a promotion (waitMs 0 = no live check). */
  live: LiveRule;
  log: (line: string) => void;
  backoff?: { initialMs: number; maxMs: number };
}

export type AgentOutcome =
  | { kind: 'dag-failed'; dag: DagResult }
  | { kind: 'kept-champion'; decision: Decision }
  | { kind: 'promoted'; decision: Decision; version: string; live?: LiveVerdict }
  | { kind: 'rolled-back'; decision: Decision; why: string };

/**
 * One agent run: the training DAG as Jobs, then challenger vs champion
 * through the evaluator, then promotion (or not), with rollback on a failed
 * rollout or on live metrics below the champion's.
 */
export async function runAgent(o: AgentOptions): Promise<AgentOutcome> {
  const status = new StatusRecorder(
    o.api,
    `thoughtspace-agent-${o.context.runId}`,
    o.context.namespace,
    {
      [LABELS.managedBy]: 'thoughtspace-agent',
      [LABELS.run]: o.context.runId,
    },
  );
  const champions = await currentVersions(o.api, o.deployments);
  const champion = Object.values(champions)[0] ?? '';
  if (new Set(Object.values(champions)).size > 1)
    throw new Error(
      `serving Deployments disagree on the model version: ${JSON.stringify(champions)}`,
    );
  await status.update({ phase: 'training', champion, challenger: o.context.version });

  const dag = await runDag({
    api: o.api,
    stages: o.stages,
    context: o.context,
    maxAttempts: o.maxAttempts,
    status,
    log: o.log,
    backoff: o.backoff,
  });
  if (!dag.ok) {
    await status.update({ phase: 'failed', failedStage: dag.failedStage });
    return { kind: 'dag-failed', dag };
  }

  await status.update({ phase: 'evaluating' });
  const comparison = await o.evaluator
    .compare({ champion, challenger: o.context.version, seed: o.context.seed })
    .catch(async (err: unknown) => {
      // The champion keeps serving; the status says why nothing was promoted.
      await status.update({ phase: 'failed', error: (err as Error).message });
      throw err;
    });
  const decision = decide(comparison.metrics, o.rule);
  o.log(`decision: ${decision.promote ? 'promote' : 'keep the champion'} (${decision.reason})`);
  await status.update({
    phase: decision.promote ? 'promoting' : 'kept-champion',
    decision,
    comparedUsers: comparison.users,
  });
  if (!decision.promote) return { kind: 'kept-champion', decision };

  const rollback = async (why: string): Promise<AgentOutcome> => {
    o.log(`rollback to ${champion}: ${why}`);
    await status.update({ phase: 'rolling-back', rollbackReason: why });
    const back = await rollTo({
      ...o.rollout,
      api: o.api,
      deployments: o.deployments,
      version: champion,
      log: o.log,
    });
    await status.update({ phase: back.ok ? 'rolled-back' : 'rollback-failed' });
    return { kind: 'rolled-back', decision, why };
  };

  const rolled = await rollTo({
    ...o.rollout,
    api: o.api,
    deployments: o.deployments,
    version: o.context.version,
    log: o.log,
  });
  if (!rolled.ok) return rollback(`rollout failed for ${rolled.failed.join(', ')}`);

  let live: LiveVerdict | undefined;
  if (o.live.waitMs > 0) {
    await status.update({ phase: 'watching-live' });
    live = await watchLive({
      evaluator: o.evaluator,
      champion,
      challenger: o.context.version,
      rule: o.live,
      log: o.log,
    });
    o.log(`live check: ${live.kind} (${live.reason})`);
    await status.update({ live });
    if (live.kind === 'worse') return rollback(live.reason);
  }
  await status.update({ phase: 'promoted' });
  return { kind: 'promoted', decision, version: o.context.version, ...(live ? { live } : {}) };
}

/** What `--dry-run` prints: the Jobs in order, the rule, the Deployments. */
export function describePlan(
  o: Pick<AgentOptions, 'stages' | 'context' | 'rule' | 'deployments' | 'maxAttempts' | 'live'>,
): string {
  const lines = [
    `run ${o.context.runId} in namespace ${o.context.namespace}: version ${o.context.version}, dataset ${o.context.dataset}, seed ${o.context.seed}, image ${o.context.image}, PVC ${o.context.pvc}`,
    '',
    'training DAG (each stage a Job, retried up to ' + `${o.maxAttempts} attempts):`,
  ];
  for (const s of topologicalOrder(o.stages)) {
    const job = stageJob(s, 1, o.context);
    const container = (job.spec.template as { spec: { containers: { args: string[] }[] } }).spec
      .containers[0];
    lines.push(
      `  ${s.name.padEnd(10)} after [${s.after.join(', ')}]  job ${job.metadata.name}: thoughtspace ${container.args.join(' ')}${s.gpu && o.context.gpu ? '  (GPU)' : ''}`,
    );
  }
  lines.push(
    '',
    `promotion: the evaluator's Compare of challenger - champion on ${o.rule.metric}, paired randomization test on the same users; promote when gain >= ${o.rule.minGain} and p < ${o.rule.alpha}`,
    `serving Deployments rolled together: ${o.deployments.join(', ')} (rollback on a failed rollout)`,
    o.live.waitMs > 0
      ? `live check for ${o.live.waitMs / 1000} s: roll back when live ${o.live.metric} (${o.live.window}) falls more than ${o.live.margin} below the champion's, once each has ${o.live.minCases} cases`
      : 'live check: off (AGENT_LIVE_WAIT_S=0)',
  );
  return lines.join('\n');
}
