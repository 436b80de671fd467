/**
 * The serving chart against the programs it runs: every Deployment's
 * environment, as Kubernetes would resolve it, must start the program its
 * command names (that program's own config readers, the ones its main
 * calls; a stage worker's check of what its stage calls too), must set no
 * variable the program does not read (observed, not declared: the readers
 * run on a watched environment), its addresses must name a rendered
 * Service's gRPC port, its model directories must be where the pipeline
 * agent's training DAG writes them, and a stage worker's ScaledObject must
 * watch the topic that worker consumes. No API server runs here, so this is
 * the contract a pod would see, not a pod.
 */
import { join } from 'node:path';
import { DEFAULT_STAGES } from '@thoughtspace/agent';
import { loadConfig as candidateGen } from '@thoughtspace/candidate-gen';
import { loadConfig as encoder } from '@thoughtspace/encoder';
import { loadConfig as evaluator, loadStreamingConfig } from '@thoughtspace/evaluator';
import { loadConfig as gateway } from '@thoughtspace/gateway';
import { BUNDLE_MODELS, type BundleModel } from '@thoughtspace/pipeline';
import { loadConfig as rationaleGen } from '@thoughtspace/rationale-gen';
import { loadConfig as scorer } from '@thoughtspace/scorer';
import {
  checkNeeds,
  loadConfig as stageWorker,
  STAGES as WORKER_STAGES,
  type StageName,
} from '@thoughtspace/stage-worker';
import { loadConfig as totSelector } from '@thoughtspace/tot-selector';
import { podSpecOf, type Container } from './pod-checks';
import { byKind, REPO, template, tools, type K8sObject } from './tools';

const CHART = join(REPO, 'charts', 'thoughtspace');
/** The chart's ci/ scenarios and the kustomize overlays' values files. */
const SCENARIOS = [
  'charts/thoughtspace/ci/minimal-cpu-values.yaml',
  'charts/thoughtspace/ci/gpu-pool-values.yaml',
  'charts/thoughtspace/ci/hardened-production-values.yaml',
  'charts/thoughtspace/ci/kafka-keda-scale-to-zero-values.yaml',
  'k8s/overlays/dev/serving-values.yaml',
  'k8s/overlays/prod/serving-values.yaml',
];
const PREFIX = 'ts-thoughtspace-';

type Env = NodeJS.ProcessEnv;
/** What each entry point reads at start (its main's config readers), by the script a command runs. */
const PROGRAMS: Record<string, (env: Env) => unknown> = {
  'services/gateway/dist/main.js': gateway,
  'services/candidate-gen/dist/main.js': candidateGen,
  'services/rationale-gen/dist/main.js': rationaleGen,
  'services/encoder/dist/main.js': encoder,
  'services/tot-selector/dist/main.js': totSelector,
  'services/scorer/dist/main.js': scorer,
  'services/evaluator/dist/main.js': evaluator,
  // The streaming evaluator serves the evaluator's gRPC API beside its consumer.
  'services/evaluator/dist/streaming/main.js': (env) => [loadStreamingConfig(env), evaluator(env)],
  'services/stage-worker/dist/main.js': (env) => checkNeeds(stageWorker(env)),
};
/**
 * Read outside the config readers: by the OpenTelemetry SDK (OTEL_*), by
 * rationale-gen's providers (OPENAI_API_KEY), and MODEL_VERSION, which the
 * chart sets to build the model paths from (the scorer worker reads it too).
 */
const LIBRARY_VARS = /^(OTEL_[A-Z_]+|MODEL_VERSION|OPENAI_API_KEY)$/;

/** Runs a program's config readers on `env` and returns the variables they looked at. */
function variablesRead(load: (env: Env) => unknown, env: Env): Set<string> {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return target[key as string];
    },
  });
  load(watched);
  return read;
}

/** Where the agent's DAG writes a stage's output, relative to the version folder. */
function dagOut(first: string): string {
  const stage = DEFAULT_STAGES.find((s) => s.args[0] === first)!;
  const out = stage.args[stage.args.indexOf('--out') + 1];
  expect(out).toMatch(/^\{artifacts\}\//);
  return out.replace('{artifacts}/', '');
}
/** The bundle `thoughtspace run` writes under its --out (readServingBundle's serving/). */
const bundle = (model: BundleModel) => `${dagOut('run')}/serving/${model}`;

/** Every variable that names a folder under the model version, and the folder it must be. */
const MODEL_PATHS: Record<string, Record<string, string>> = {
  'candidate-gen-worker': { MODEL_DIR: bundle('candidate-gen') },
  'tot-selector-worker': { DATASET: dagOut('data') },
  'scorer-worker': { DATASET: dagOut('data') },
  gateway: { DATASET: dagOut('data') },
  'candidate-gen': { MODEL_DIR: bundle('candidate-gen') },
  'rationale-gen': { DATASET: dagOut('data') },
  encoder: { MODEL_DIR: bundle('encoder') },
  'tot-selector': { THOUGHT_SPACE_DIR: bundle('encoder') },
  scorer: {
    MODEL_DIR: bundle('scorer'),
    SASREC_MODEL_DIR: bundle('candidate-gen'),
    ENCODER_MODEL_DIR: bundle('encoder'),
    DATASET: dagOut('data'),
  },
  evaluator: { DATASET: dagOut('data') },
};

/**
 * A container's environment as the kubelet resolves it: `$(NAME)` expands
 * to a variable defined earlier in the list; a value from the downward API
 * or a Secret stands in as a placeholder.
 */
function resolvedEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const raw = e.value ?? (e.valueFrom?.secretKeyRef ? 'from-secret' : 'from-field');
    env[e.name] = raw.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, name: string) =>
      name in env ? env[name] : ref,
    );
  }
  return env;
}

const rendered = new Map<string, Promise<K8sObject[]>>();
const render = (scenario: string) => {
  if (!rendered.has(scenario)) rendered.set(scenario, template(CHART, [join(REPO, scenario)]));
  return rendered.get(scenario)!;
};

beforeAll(() => tools());

test('the model folders the chart expects are the ones the agent writes', () => {
  expect(BUNDLE_MODELS).toEqual(['candidate-gen', 'encoder', 'scorer']);
  expect(dagOut('run')).toBe('run');
  expect(dagOut('data')).toBe('data');
});

test('the training chart writes a run as a version the serving chart reads', async () => {
  const jobs = await template(join(REPO, 'charts', 'thoughtspace-training'), []);
  const outs = new Map<string, string>();
  for (const job of jobs.filter((o) => o.kind === 'Job')) {
    const c = podSpecOf(job).containers[0];
    const env = resolvedEnv(c);
    const first = c.command![c.command!.indexOf(env.STAGE_NAME) + 3];
    outs.set(first, env.STAGE_OUT.slice(env.RUN_DIR.length + 1));
  }
  // `data prepare` writes data/, `run` (the main job) run/: the folders every model path starts in.
  expect([outs.get('data'), outs.get('run')]).toEqual([dagOut('data'), dagOut('run')]);
  const folders = new Set(
    Object.values(MODEL_PATHS).flatMap((paths) => Object.values(paths).map((p) => p.split('/')[0])),
  );
  expect([...folders].sort()).toEqual(['data', 'run']);
});

test('a config reader is seen reading what it reads, and only that', () => {
  const env = { GRPC_PORT: '1', MODEL_DIR: '/m', NOT_A_VARIABLE: 'x' };
  const read = variablesRead(candidateGen, env);
  expect(read.has('MODEL_DIR')).toBe(true);
  expect(read.has('NOT_A_VARIABLE')).toBe(false);
});

describe.each(SCENARIOS)('scenario %s', (scenario) => {
  const deployments = async () => {
    const objects = await render(scenario);
    const services = byKind<{ spec: { ports: { name: string; port: number }[] } }>(
      objects,
      'Service',
    );
    const scaled = byKind<{ spec: { triggers: { metadata: { topic: string } }[] } }>(
      objects,
      'ScaledObject',
    );
    return [...byKind(objects, 'Deployment')].map(([name, d]) => {
      const c = podSpecOf(d).containers[0];
      const program = (c.command ?? []).find((part) => part in PROGRAMS);
      const entry = name.slice(PREFIX.length);
      return { name, entry, c, env: resolvedEnv(c), program, services, scaled: scaled.get(name) };
    });
  };

  test("every Deployment's environment starts the program its command runs", async () => {
    for (const { name, env, program } of await deployments()) {
      expect({ name, program }).toEqual({ name, program: expect.any(String) });
      expect(() => PROGRAMS[program!](env)).not.toThrow();
    }
  });

  test('it sets no variable its program does not read', async () => {
    for (const { name, env, program } of await deployments()) {
      const read = variablesRead(PROGRAMS[program!], env);
      const unread = Object.keys(env).filter((v) => !read.has(v) && !LIBRARY_VARS.test(v));
      expect({ name, unread }).toEqual({ name, unread: [] });
    }
  });

  test("every address names a rendered Service's gRPC port", async () => {
    for (const { name, env, services } of await deployments()) {
      for (const [variable, value] of Object.entries(env)) {
        if (!variable.endsWith('_ADDR')) continue;
        const [host, port] = value.split(':');
        const grpc = services.get(host)?.spec.ports.find((p) => p.name === 'grpc');
        expect({ name, variable, port: Number(port) }).toEqual({
          name,
          variable,
          port: grpc?.port ?? 'no such Service',
        });
      }
    }
  });

  test('model directories are the bundle and dataset the training DAG writes', async () => {
    for (const { name, entry, env } of await deployments()) {
      const version = '/models/from-field/';
      const paths = Object.fromEntries(
        Object.entries(env)
          .filter(([, v]) => v.startsWith(version))
          .map(([k, v]) => [k, v.slice(version.length)]),
      );
      expect({ name, paths }).toEqual({ name, paths: MODEL_PATHS[entry] });
    }
  });

  test("a stage worker's ScaledObject watches the topic the worker consumes", async () => {
    for (const { name, env, scaled } of await deployments()) {
      if (!env.WORKER_STAGE || !scaled) continue;
      const topic = WORKER_STAGES[env.WORKER_STAGE as StageName].input.topic;
      expect({ name, topic: scaled.spec.triggers[0].metadata.topic }).toEqual({ name, topic });
    }
  });
});
