#!/usr/bin/env node
/**
 * thoughtspace-agent run [--dry-run]
 *
 * Exit codes: 0 promoted or kept the champion; 1 a stage failed for good or
 * the new version was rolled back; 2 bad configuration.
 */
import { describePlan, runAgent, type AgentOptions } from './agent';
import { ConfigError, loadConfig } from './config';
import { DEFAULT_STAGES } from './dag';
import { grpcEvaluator } from './evaluator';
import { createKubeApi } from './kube';

const log = (line: string) =>
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), component: 'agent', msg: line })}\n`,
  );

async function main(argv: string[]): Promise<number> {
  if (argv[0] !== 'run') {
    process.stderr.write(
      'usage: thoughtspace-agent run [--dry-run]   (configuration from AGENT_* variables, see docs/agent.md)\n',
    );
    return 2;
  }
  const config = loadConfig();
  const context = {
    runId: config.runId,
    namespace: config.namespace,
    image: config.image,
    pvc: config.pvc,
    dataset: config.dataset,
    seed: config.seed,
    version: config.version,
    gpu: config.gpu,
    activeDeadlineSeconds: config.activeDeadlineSeconds,
  };
  const rule = { metric: config.metric, alpha: config.alpha, minGain: config.minGain };
  const live = {
    metric: config.liveMetric,
    window: config.liveWindow,
    margin: config.liveMargin,
    minCases: config.liveMinCases,
    waitMs: config.liveWaitS * 1000,
    pollMs: config.rolloutPollMs,
  };
  const plan = {
    stages: DEFAULT_STAGES,
    context,
    rule,
    live,
    deployments: [...config.deployments],
    maxAttempts: config.maxAttempts,
  };
  if (argv.includes('--dry-run')) {
    process.stdout.write(`${describePlan(plan)}\n`);
    return 0;
  }
  const evaluator = grpcEvaluator({
    address: config.evaluatorAddress,
    predictionsUri: config.predictionsUri,
    split: config.split,
    resamples: config.resamples,
  });
  const options: AgentOptions = {
    ...plan,
    api: await createKubeApi({ namespace: config.namespace, kubeconfig: config.kubeconfig }),
    evaluator,
    rollout: { timeoutMs: config.rolloutTimeoutS * 1000, pollMs: config.rolloutPollMs },
    log,
  };
  log(
    `evaluator ${config.evaluatorAddress}: comparing ${config.predictionsUri} on the ${config.split} split`,
  );
  const outcome = await runAgent(options).finally(() => evaluator.close());
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  return outcome.kind === 'promoted' || outcome.kind === 'kept-champion' ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`thoughtspace-agent: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`thoughtspace-agent: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
