/** The agent's configuration: the only reader of process.env in this package. */
export interface AgentConfig {
  namespace: string;
  runId: string;
  version: string;
  image: string;
  pvc: string;
  dataset: string;
  seed: number;
  gpu: boolean;
  deployments: string[];
  maxAttempts: number;
  metric: string;
  alpha: number;
  minGain: number;
  rolloutTimeoutMs: number;
  rolloutPollMs: number;
  liveTolerance: number;
  liveWaitMs: number;
  artifactsDir: string;
  /** Bootstrap resamples and randomization-test permutations of the comparison. */
  resamples: number;
  kubeconfig?: string;
  activeDeadlineSeconds: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function num(
  env: Env,
  name: string,
  fallback: number,
  check: (x: number) => boolean,
  rule: string,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const x = Number(raw);
  if (!Number.isFinite(x) || !check(x))
    throw new ConfigError(`${name} must be ${rule}, got "${raw}"`);
  return x;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function label(env: Env, name: string, fallback: string): string {
  const v = env[name] || fallback;
  if (!DNS_LABEL.test(v) || v.length > 40)
    throw new ConfigError(
      `${name} must be a lowercase DNS label of at most 40 characters, got "${v}"`,
    );
  return v;
}

export const DEFAULT_DEPLOYMENTS = ['candidate-gen', 'encoder', 'tot-selector', 'scorer'].map(
  (s) => `thoughtspace-${s}`,
);

export function loadConfig(env: Env = process.env, now = new Date()): AgentConfig {
  const runId = label(
    env,
    'AGENT_RUN_ID',
    `r${now
      .toISOString()
      .replace(/[-:T.Z]/g, '')
      .slice(0, 14)}`,
  );
  const deployments = (env.AGENT_DEPLOYMENTS ?? DEFAULT_DEPLOYMENTS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!deployments.length)
    throw new ConfigError('AGENT_DEPLOYMENTS must name at least one Deployment');
  return {
    namespace: label(env, 'AGENT_NAMESPACE', 'thoughtspace'),
    runId,
    version: label(env, 'AGENT_VERSION', runId),
    image: env.AGENT_IMAGE || 'thoughtspace:0.1.0-cpu',
    pvc: label(env, 'AGENT_PVC', 'thoughtspace-artifacts'),
    dataset: env.AGENT_DATASET || 'luxury-beauty-2018',
    seed: num(env, 'AGENT_SEED', 1, Number.isInteger, 'an integer'),
    gpu: bool(env, 'AGENT_GPU', false),
    deployments,
    maxAttempts: num(
      env,
      'AGENT_MAX_ATTEMPTS',
      3,
      (x) => Number.isInteger(x) && x >= 1 && x <= 10,
      'an integer in 1..10',
    ),
    metric: env.AGENT_METRIC || 'NDCG@10',
    alpha: num(env, 'AGENT_ALPHA', 0.05, (x) => x > 0 && x < 1, 'in (0, 1)'),
    minGain: num(env, 'AGENT_MIN_GAIN', 0.002, (x) => x >= 0, '>= 0'),
    rolloutTimeoutMs: num(env, 'AGENT_ROLLOUT_TIMEOUT_S', 600, (x) => x > 0, '> 0 seconds') * 1000,
    rolloutPollMs: num(env, 'AGENT_ROLLOUT_POLL_MS', 2000, (x) => x >= 10, '>= 10 ms'),
    liveTolerance: num(env, 'AGENT_LIVE_TOLERANCE', 0.01, (x) => x >= 0, '>= 0'),
    liveWaitMs: num(env, 'AGENT_LIVE_WAIT_S', 0, (x) => x >= 0, '>= 0 seconds') * 1000,
    artifactsDir: env.AGENT_ARTIFACTS_DIR || '/artifacts',
    resamples: num(
      env,
      'AGENT_RESAMPLES',
      2000,
      (x) => Number.isInteger(x) && x >= 100,
      'an integer >= 100',
    ),
    kubeconfig: env.KUBECONFIG || undefined,
    activeDeadlineSeconds: num(
      env,
      'AGENT_JOB_DEADLINE_S',
      6 * 3600,
      (x) => Number.isInteger(x) && x > 0,
      'a positive integer',
    ),
  };
}
