import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { envOf, podSpecOf, securityViolations, type Container } from './pod-checks';
import { byKind, REPO, run, template, tools, type K8sObject } from './tools';
import { validateObjects } from './validate';

const CHART = join(REPO, 'charts', 'thoughtspace');
const CI = join(CHART, 'ci');
const SCENARIOS = readdirSync(CI).filter((f) => f.endsWith('.yaml'));
const SERVICES = [
  'gateway',
  'candidate-gen',
  'rationale-gen',
  'encoder',
  'tot-selector',
  'scorer',
  'evaluator',
];
const scratch = mkdtempSync(join(tmpdir(), 'ts-chart-'));

function valuesFile(name: string, values: unknown): string {
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, stringify(values));
  return file;
}

const rendered = new Map<string, K8sObject[]>();
async function render(scenario: string): Promise<K8sObject[]> {
  let objects = rendered.get(scenario);
  if (!objects) {
    objects = await template(CHART, [join(CI, scenario)]);
    rendered.set(scenario, objects);
  }
  return objects;
}
const main = (d: K8sObject): Container => podSpecOf(d).containers[0];

beforeAll(() => tools());

test('the chart has the four ci/ scenarios', () => {
  expect(SCENARIOS.sort()).toEqual([
    'gpu-pool-values.yaml',
    'hardened-production-values.yaml',
    'kafka-keda-scale-to-zero-values.yaml',
    'minimal-cpu-values.yaml',
  ]);
});

describe.each(SCENARIOS)('scenario %s', (scenario) => {
  test('helm lint --strict passes', async () => {
    const res = await run(tools().helm, ['lint', '--strict', CHART, '-f', join(CI, scenario)]);
    expect(res.stderr + res.stdout).toContain('0 chart(s) failed');
    expect(res.code).toBe(0);
  });

  test('every rendered object validates against the Kubernetes/KEDA schemas', async () => {
    const objects = await render(scenario);
    expect(objects.length).toBeGreaterThan(10);
    expect(validateObjects(objects)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('secure defaults hold for every pod', async () => {
    const deployments = byKind(await render(scenario), 'Deployment');
    const violations = [...deployments].flatMap(([name, d]) =>
      securityViolations(name, podSpecOf(d)),
    );
    expect(violations).toEqual([]);
  });

  test('gRPC startup, readiness and liveness probes on the numeric gRPC port', async () => {
    const objects = await render(scenario);
    const services = byKind<{ spec: { ports: { name: string; port: number }[] } }>(
      objects,
      'Service',
    );
    for (const [name, d] of byKind(objects, 'Deployment')) {
      const c = main(d);
      // A stage worker serves nothing: no port, no probe, no Service.
      if (name.endsWith('-worker')) {
        expect([c.ports, c.readinessProbe, services.get(name)]).toEqual([
          undefined,
          undefined,
          undefined,
        ]);
        continue;
      }
      const grpcPort = c.ports?.find((p) => p.name === 'grpc')?.containerPort;
      expect(typeof grpcPort).toBe('number');
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
        expect(probe?.grpc?.port).toBe(grpcPort);
      }
      // The model loads before the port binds: the startup probe allows for it.
      const s = c.startupProbe!;
      expect((s.periodSeconds ?? 10) * (s.failureThreshold ?? 3)).toBeGreaterThanOrEqual(120);
      expect(envOf(c).get('GRPC_PORT')).toBe(String(grpcPort));
      expect(services.get(name)?.spec.ports.find((p) => p.name === 'grpc')?.port).toBe(grpcPort);
    }
  });

  test('default-deny NetworkPolicy plus a policy per service', async () => {
    const objects = await render(scenario);
    const policies = byKind<{ spec: Record<string, unknown> }>(objects, 'NetworkPolicy');
    const deny = policies.get('ts-thoughtspace-default-deny')!.spec;
    expect(deny.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.ingress).toBeUndefined();
    expect(deny.egress).toBeUndefined();
    for (const name of byKind(objects, 'Deployment').keys()) expect(policies.has(name)).toBe(true);
    const dns = policies.get('ts-thoughtspace-dns-otlp-egress')!.spec as {
      egress: { ports: { port: number }[] }[];
    };
    expect(dns.egress[0].ports.map((p) => p.port)).toEqual([53, 53]);
  });
});

test('minimal CPU: CPU image, no GPU, fixed replicas, evaluator off', async () => {
  const objects = await render('minimal-cpu-values.yaml');
  const deployments = byKind(objects, 'Deployment');
  expect([...deployments.keys()].sort()).toEqual(
    SERVICES.filter((s) => s !== 'evaluator')
      .map((s) => `ts-thoughtspace-${s}`)
      .sort(),
  );
  for (const d of deployments.values()) {
    const c = main(d);
    expect(c.image).toBe('ghcr.io/thoughtspace/thoughtspace:0.1.0');
    expect(c.resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
    expect(envOf(c).has('ORT_EXECUTION_PROVIDER')).toBe(false);
    expect((d.spec as { replicas: number }).replicas).toBe(1);
  }
  // The model version is the pod-template annotation the pipeline agent patches, read through the downward API.
  const cg = deployments.get('ts-thoughtspace-candidate-gen')!;
  expect(envOf(main(cg)).get('MODEL_DIR')).toBe(
    '/models/$(MODEL_VERSION)/run/serving/candidate-gen',
  );
  expect(main(cg).env?.find((e) => e.name === 'MODEL_VERSION')?.valueFrom).toEqual({
    fieldRef: { fieldPath: "metadata.annotations['thoughtspace.io/model-version']" },
  });
  const template = (cg.spec as { template: { metadata: { annotations: Record<string, string> } } })
    .template;
  expect(template.metadata.annotations['thoughtspace.io/model-version']).toBe('current');
  const pvc = podSpecOf(deployments.get('ts-thoughtspace-encoder')!).volumes!.find(
    (v) => v.name === 'models',
  );
  expect(pvc?.persistentVolumeClaim).toEqual({
    claimName: 'thoughtspace-artifacts',
    readOnly: true,
  });
  expect(objects.filter((o) => /ScaledObject|HorizontalPodAutoscaler/.test(o.kind))).toEqual([]);
});

test('GPU pool: model services get the pool, the GPU limit, the CUDA image and provider', async () => {
  const deployments = byKind(await render('gpu-pool-values.yaml'), 'Deployment');
  for (const s of ['candidate-gen', 'encoder', 'scorer', 'rationale-gen']) {
    const d = deployments.get(`ts-thoughtspace-${s}`)!;
    const pod = podSpecOf(d);
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pod.tolerations).toContainEqual({
      key: 'nvidia.com/gpu',
      operator: 'Equal',
      value: 'present',
      effect: 'NoSchedule',
    });
    expect(pod.priorityClassName).toBe('thoughtspace-gpu');
    expect(main(d).resources?.limits?.['nvidia.com/gpu']).toBe(1);
    expect(main(d).image).toBe('ghcr.io/thoughtspace/thoughtspace:0.1.0-cuda12');
    // rationale-gen's model is llama.cpp's (LLAMA_GPU), not onnxruntime's.
    expect(envOf(main(d)).get('ORT_EXECUTION_PROVIDER')).toBe(
      s === 'rationale-gen' ? undefined : 'cuda',
    );
  }
  for (const s of ['gateway', 'tot-selector', 'evaluator']) {
    const d = deployments.get(`ts-thoughtspace-${s}`)!;
    expect(podSpecOf(d).nodeSelector).toBeUndefined();
    expect(podSpecOf(d).tolerations).toBeUndefined();
    expect(main(d).image).toBe('ghcr.io/thoughtspace/thoughtspace:0.1.0');
    expect(main(d).resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
  }
  // The agent's Compare reads each version's predictions from the models volume.
  const evaluator = main(deployments.get('ts-thoughtspace-evaluator')!);
  expect(envOf(evaluator).get('PREDICTIONS_DIR')).toBe('/models');
  expect(evaluator.volumeMounts?.some((m) => m.mountPath === '/models')).toBe(true);
});

interface ScaledObjectSpec {
  scaleTargetRef: { name: string; kind: string };
  minReplicaCount: number;
  maxReplicaCount: number;
  triggers: {
    type: string;
    metadata: Record<string, string>;
    authenticationRef?: { name: string };
  }[];
}

test('Kafka + KEDA: a ScaledObject per stage worker, scale to zero, capped at partitions', async () => {
  const objects = await render('kafka-keda-scale-to-zero-values.yaml');
  const scaled = byKind<{ spec: ScaledObjectSpec }>(objects, 'ScaledObject');
  const deployments = byKind(objects, 'Deployment');
  const expected: Record<string, [topic: string, partitions: number, min: number]> = {
    'candidate-gen': ['thoughtspace.rec-requests.v1', 6, 0],
    'tot-selector': ['thoughtspace.candidates.v1', 12, 0],
    scorer: ['thoughtspace.selections.v1', 6, 0],
  };
  expect([...scaled.keys()].sort()).toEqual(
    Object.keys(expected)
      .map((s) => `ts-thoughtspace-${s}-worker`)
      .sort(),
  );
  for (const [service, [topic, partitions, min]] of Object.entries(expected)) {
    const name = `ts-thoughtspace-${service}-worker`;
    const spec = scaled.get(name)!.spec;
    expect(spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    expect(spec.minReplicaCount).toBe(min);
    expect(spec.maxReplicaCount).toBeLessThanOrEqual(partitions);
    const [trigger] = spec.triggers;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata).toMatchObject({
      bootstrapServers: 'kafka-0.kafka.kafka.svc:9093,kafka-1.kafka.kafka.svc:9093',
      consumerGroup: `thoughtspace-${service}`,
      topic,
      offsetResetPolicy: 'earliest',
      tls: 'enable',
      sasl: 'scram_sha512',
    });
    expect(Number(trigger.metadata.lagThreshold)).toBeGreaterThan(0);
    expect(trigger.metadata.activationLagThreshold).toMatch(/^\d+$/);
    expect(trigger.authenticationRef).toEqual({ name: 'ts-thoughtspace-kafka' });
    // KEDA owns the replica count: the Deployment must not fight it on upgrade.
    const d = deployments.get(name)!;
    expect((d.spec as { replicas?: number }).replicas).toBeUndefined();
    const env = main(d).env!;
    expect(envOf(main(d)).get('WORKER_STAGE')).toBe(service);
    expect(envOf(main(d)).get('WORKER_GROUP_ID')).toBe(`thoughtspace-${service}`);
    expect(envOf(main(d)).get('KAFKA_SSL')).toBe('true');
    expect(env.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'thoughtspace-kafka-credentials',
      key: 'password',
    });
  }
  expect(
    scaled.get('ts-thoughtspace-candidate-gen-worker')!.spec.triggers[0].metadata,
  ).toMatchObject({
    lagThreshold: '50',
    activationLagThreshold: '5',
  });
  const auth = byKind<{ spec: { secretTargetRef: { parameter: string; name: string }[] } }>(
    objects,
    'TriggerAuthentication',
  ).get('ts-thoughtspace-kafka')!;
  expect(auth.spec.secretTargetRef.map((r) => [r.parameter, r.name])).toEqual([
    ['username', 'thoughtspace-kafka-credentials'],
    ['password', 'thoughtspace-kafka-credentials'],
  ]);
  expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  const policies = byKind<{
    spec: { ingress: unknown[]; egress: { ports: { port: number }[] }[] };
  }>(objects, 'NetworkPolicy');
  const worker = policies.get('ts-thoughtspace-scorer-worker')!.spec;
  expect(worker.egress.flatMap((r) => r.ports.map((p) => p.port))).toEqual([50051, 9093]);
  expect(worker.ingress).toEqual([]);
  // The gRPC scorer no longer talks to Kafka; its worker does.
  const server = policies.get('ts-thoughtspace-scorer')!.spec;
  expect(server.egress.flatMap((r) => r.ports.map((p) => p.port))).not.toContain(9093);
  expect(deployments.get('ts-thoughtspace-gateway')).toBeDefined();
  // The streaming evaluator: its own process consumes the predictions, one replica, not scaled.
  const evaluator = deployments.get('ts-thoughtspace-evaluator')!;
  expect(main(evaluator).command).toEqual(['node', 'services/evaluator/dist/streaming/main.js']);
  expect((evaluator.spec as { replicas: number }).replicas).toBe(1);
  expect(envOf(main(evaluator)).get('EVALUATOR_GROUP_ID')).toBe('thoughtspace-evaluator');
  expect(
    policies
      .get('ts-thoughtspace-evaluator')!
      .spec.egress.flatMap((r) => r.ports.map((p) => p.port)),
  ).toContain(9093);
});

test('KEDA off: the Kafka consumers fall back to CPU HPAs, still capped at partitions', async () => {
  const off = valuesFile('keda-off', { keda: { enabled: false } });
  const objects = await template(CHART, [join(CI, 'kafka-keda-scale-to-zero-values.yaml'), off]);
  expect(validateObjects(objects)).toEqual([]);
  expect(objects.filter((o) => o.kind === 'ScaledObject')).toEqual([]);
  const hpas = byKind<{ spec: { minReplicas: number; maxReplicas: number } }>(
    objects,
    'HorizontalPodAutoscaler',
  );
  expect(hpas.get('ts-thoughtspace-tot-selector-worker')!.spec).toMatchObject({
    minReplicas: 1,
    maxReplicas: 3,
  });
  expect(hpas.get('ts-thoughtspace-candidate-gen-worker')!.spec.minReplicas).toBe(1);
  expect(hpas.size).toBe(3);
});

test('hardened production: digests, object-store init container, OTLP, ServiceMonitor', async () => {
  const objects = await render('hardened-production-values.yaml');
  const deployments = byKind(objects, 'Deployment');
  const cg = deployments.get('ts-thoughtspace-candidate-gen')!;
  const pod = podSpecOf(cg);
  expect(main(cg).image).toBe(
    'registry.example.com/ml/thoughtspace@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945',
  );
  expect(pod.priorityClassName).toBe('thoughtspace-serving');
  const init = pod.initContainers!.find((c) => c.name === 'fetch-model')!;
  expect(init.args).toEqual([
    'copy',
    '--checksum',
    ':s3:thoughtspace-models/champion/$(MODEL_VERSION)',
    '/models/$(MODEL_VERSION)',
    '--include',
    '/run/serving/candidate-gen/**',
  ]);
  // The scorer reads four folders of the version; the init container copies those four.
  const scorerInit = podSpecOf(deployments.get('ts-thoughtspace-scorer')!).initContainers![0];
  expect(scorerInit.args!.filter((a) => a.startsWith('/'))).toEqual([
    '/models/$(MODEL_VERSION)',
    '/run/serving/scorer/**',
    '/data/**',
    '/run/serving/candidate-gen/**',
    '/run/serving/encoder/**',
  ]);
  const env = envOf(main(cg));
  expect(env.get('OTEL_TRACES_EXPORTER')).toBe('otlp');
  expect(env.get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')).toBe(
    'http://otel-collector.observability.svc:4318/v1/traces',
  );
  expect(env.get('OTEL_RESOURCE_ATTRIBUTES')).toContain('deployment.environment=prod');
  const rg = main(deployments.get('ts-thoughtspace-rationale-gen')!);
  expect(rg.env!.find((e) => e.name === 'OPENAI_API_KEY')?.valueFrom?.secretKeyRef).toEqual({
    name: 'thoughtspace-openai',
    key: 'api-key',
  });
  expect(byKind(objects, 'ServiceMonitor').size).toBe(1);
  expect(
    byKind<{ spec: { maxReplicas: number } }>(objects, 'HorizontalPodAutoscaler').get(
      'ts-thoughtspace-gateway',
    )!.spec.maxReplicas,
  ).toBe(20);
  expect((deployments.get('ts-thoughtspace-scorer')!.spec as { replicas: number }).replicas).toBe(
    2,
  );
});

describe('bad values are rejected with a message naming the key', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'a misspelt key',
      { services: { scorer: { gpu: { enabeld: true } } } },
      /services\.scorer\.gpu.*enabeld/,
    ],
    [
      'privilege escalation',
      {
        containerSecurityContext: {
          runAsNonRoot: true,
          allowPrivilegeEscalation: true,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
      },
      /containerSecurityContext\.allowPrivilegeEscalation/,
    ],
    ['an unknown model source', { models: { source: 's3' } }, /models\.source/],
    ['a string port', { serviceDefaults: { port: 'grpc' } }, /serviceDefaults\.port/],
    [
      'replicas above the partition count',
      {
        kafka: { enabled: true, brokers: ['k:9092'] },
        keda: { enabled: true },
        services: {
          'scorer-worker': {
            kafka: { consumer: { enabled: true, partitions: 2, maxReplicaCount: 4 } },
          },
        },
      },
      /services\.scorer-worker\.kafka\.consumer\.maxReplicaCount \(4\) exceeds partitions \(2\)/,
    ],
    [
      'a self-consuming server with two replicas',
      {
        kafka: { enabled: true, brokers: ['k:9092'] },
        services: { evaluator: { replicas: 2, kafka: { consumer: { enabled: true } } } },
      },
      /services\.evaluator consumes Kafka in its own process .* one replica/,
    ],
    ['an unknown kind', { services: { gateway: { kind: 'daemon' } } }, /kind/],
  ];
  test.each(cases)('%s', async (name, values, message) => {
    const file = valuesFile(name.replace(/\W+/g, '-'), values);
    const res = await run(tools().helm, ['template', 'ts', CHART, '-f', file]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
  });
});
