import { METRICS, type MetricName } from '@thoughtspace/metrics';
import {
  boolVar,
  enumVar,
  envVar,
  floatVar,
  intVar,
  readConfig,
  stringVar,
  z,
  type ConfigOf,
} from '@thoughtspace/service-kit';

/** A bad variable: the message names it (main.ts exits with code 2). */
export class ConfigError extends Error {}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;
const dnsLabel = z.string().regex(DNS_LABEL, {
  message: 'is not a lowercase DNS label of at most 40 characters',
});

export const DEFAULT_DEPLOYMENTS = ['candidate-gen', 'encoder', 'tot-selector', 'scorer'].map(
  (s) => `thoughtspace-${s}`,
);

const deploymentList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((names) => names.length > 0, { message: 'must name at least one Deployment' })
  .refine((names) => names.every((n) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n)), {
    message: 'must be comma-separated Deployment names (lowercase DNS names)',
  });

/**
 * The agent's environment, declared once (service-kit's zod `envVar`):
 * docs/configuration.md is generated from it, and every error names the
 * variable.
 */
export const AGENT_CONFIG = {
  namespace: envVar('AGENT_NAMESPACE', dnsLabel, {
    type: 'DNS label',
    default: 'thoughtspace',
    description: 'namespace of the Jobs, Deployments and status ConfigMap',
  }),
  runId: envVar('AGENT_RUN_ID', dnsLabel, {
    type: 'DNS label',
    optional: true,
    description: 'run id: Job names and labels (default r<UTC timestamp>)',
  }),
  version: envVar('AGENT_VERSION', dnsLabel, {
    type: 'DNS label',
    optional: true,
    description: 'model version the run produces (default the run id)',
  }),
  image: stringVar({
    name: 'AGENT_IMAGE',
    default: 'thoughtspace:0.1.0-cpu',
    description: 'image of the training Jobs',
  }),
  pvc: envVar('AGENT_PVC', dnsLabel, {
    type: 'DNS label',
    default: 'thoughtspace-artifacts',
    description: 'PVC with datasets and artifacts, mounted at /artifacts',
  }),
  dataset: stringVar({
    name: 'AGENT_DATASET',
    default: 'luxury-beauty-2018',
    description: 'dataset the run trains on',
  }),
  seed: intVar({ name: 'AGENT_SEED', default: 1, min: 0, description: 'training and test seed' }),
  gpu: boolVar({ name: 'AGENT_GPU', default: false, description: 'model stages on the GPU pool' }),
  deployments: envVar('AGENT_DEPLOYMENTS', deploymentList, {
    type: 'comma-separated names',
    default: DEFAULT_DEPLOYMENTS,
    description: 'serving Deployments rolled to the new version together',
  }),
  maxAttempts: intVar({
    name: 'AGENT_MAX_ATTEMPTS',
    default: 3,
    min: 1,
    max: 10,
    description: 'attempts per stage',
  }),
  activeDeadlineSeconds: intVar({
    name: 'AGENT_JOB_DEADLINE_S',
    default: 6 * 3600,
    min: 1,
    description: 'activeDeadlineSeconds of each Job',
  }),
  evaluatorAddress: stringVar({
    name: 'AGENT_EVALUATOR_ADDRESS',
    default: 'thoughtspace-evaluator:50051',
    pattern: /^[^\s:]+:\d{1,5}$/,
    description:
      'host:port of the evaluator (Compare for the promotion, GetMetrics for live metrics)',
  }),
  predictionsUri: stringVar({
    name: 'AGENT_PREDICTIONS_URI',
    default: '{version}/run/evaluation/predictions.jsonl',
    pattern: /\{version\}/,
    description:
      "each version's test predictions, a path under the evaluator's PREDICTIONS_DIR; {version} is replaced",
  }),
  split: enumVar({
    name: 'AGENT_SPLIT',
    values: ['valid', 'test'] as const,
    default: 'test',
    description: 'split the comparison runs on',
  }),
  metric: enumVar({
    name: 'AGENT_METRIC',
    values: METRICS,
    default: 'NDCG@10',
    description: 'metric the promotion rests on',
  }),
  alpha: floatVar({
    name: 'AGENT_ALPHA',
    default: 0.05,
    min: 1e-6,
    max: 0.5,
    description: 'significance level of the paired randomization test',
  }),
  minGain: floatVar({
    name: 'AGENT_MIN_GAIN',
    default: 0.002,
    min: 0,
    description: 'smallest mean gain (challenger - champion) worth a rollout',
  }),
  resamples: intVar({
    name: 'AGENT_RESAMPLES',
    default: 2000,
    min: 100,
    max: 10_000,
    description: 'bootstrap resamples and permutations of the comparison',
  }),
  rolloutTimeoutS: intVar({
    name: 'AGENT_ROLLOUT_TIMEOUT_S',
    default: 600,
    min: 1,
    description: 'how long a rollout may take',
  }),
  rolloutPollMs: intVar({
    name: 'AGENT_ROLLOUT_POLL_MS',
    default: 2000,
    min: 10,
    description: 'poll interval of rollouts and live metrics',
  }),
  liveWaitS: intVar({
    name: 'AGENT_LIVE_WAIT_S',
    default: 0,
    min: 0,
    description: 'after a promotion, how long to watch live metrics (0 = no live check)',
  }),
  liveMetric: enumVar({
    name: 'AGENT_LIVE_METRIC',
    values: METRICS,
    optional: true,
    description: 'live metric compared with the champion (default AGENT_METRIC)',
  }),
  liveWindow: enumVar({
    name: 'AGENT_LIVE_WINDOW',
    values: ['cumulative', 'sliding'] as const,
    default: 'cumulative',
    description:
      "the streaming evaluator's window: every case of the version, or its last EVALUATOR_WINDOW cases",
  }),
  liveMargin: floatVar({
    name: 'AGENT_LIVE_MARGIN',
    default: 0.01,
    min: 0,
    description: "roll back when the live metric is more than this below the champion's",
  }),
  liveMinCases: intVar({
    name: 'AGENT_LIVE_MIN_CASES',
    default: 500,
    min: 1,
    description: 'cases each version needs before a live decision',
  }),
  kubeconfig: stringVar({
    name: 'KUBECONFIG',
    optional: true,
    description: 'kubeconfig file (default in-cluster, then ~/.kube/config)',
  }),
};

export type AgentConfig = ConfigOf<typeof AGENT_CONFIG> & {
  runId: string;
  version: string;
  metric: MetricName;
  liveMetric: MetricName;
};

/** The one place the agent reads process.env; a ConfigError names every bad variable. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  now = new Date(),
): AgentConfig {
  let c: ConfigOf<typeof AGENT_CONFIG>;
  try {
    c = readConfig(AGENT_CONFIG, env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const runId =
    c.runId ??
    `r${now
      .toISOString()
      .replace(/[-:T.Z]/g, '')
      .slice(0, 14)}`;
  return {
    ...c,
    runId,
    version: c.version ?? runId,
    liveMetric: c.liveMetric ?? c.metric,
  };
}
