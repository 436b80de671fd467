import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers';
import { SERVERS, startServerProcess, type ServerProcess } from './server-processes';

// Debian's interpreter with python3-grpcio and python3-grpc-tools (not the pyenv python3 on PATH).
const PYTHON = '/usr/bin/python3';
const PROBE = join(REPO, 'tests', 'python', 'grpc_probe.py');
const REFLECTION_PROTO = join(
  REPO,
  'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto',
);
const HEALTH_PROTO = join(REPO, 'proto/grpc/health/v1/health.proto');

interface Probe {
  target: string;
  services: string[];
  files: Record<string, Record<string, [string, string]>>;
  health: Record<string, string>;
  watch: string[];
}

function probe(targets: string[]): Promise<Probe[]> {
  return new Promise((resolve, reject) =>
    execFile(
      PYTHON,
      [PROBE, '--reflection-proto', REFLECTION_PROTO, '--health-proto', HEALTH_PROTO, ...targets],
      { timeout: 120_000 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`grpc_probe.py failed: ${err.message}\n${stderr}`))
          : resolve(
              stdout
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l) as Probe),
            ),
    ),
  );
}

describe('every server, seen by a client the project did not write (Python grpcio)', () => {
  const running: ServerProcess[] = [];

  beforeAll(async () => {
    for (const spec of SERVERS) running.push(await startServerProcess(spec));
  }, 240_000);
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  it('lists each service through gRPC reflection, describes its methods, and answers health Check/Watch', async () => {
    const results = await probe(running.map((p) => p.address));
    expect(results).toHaveLength(SERVERS.length);
    SERVERS.forEach((spec, i) => {
      const r = results[i];
      expect(r.services).toEqual(expect.arrayContaining([spec.service, 'grpc.health.v1.Health']));
      // The descriptors handed out resolve every method's message types (what grpcurl needs).
      const methods = Object.entries(r.files[spec.service]);
      expect(methods.length).toBeGreaterThan(0);
      for (const [method, [input, output]] of methods) {
        expect(input).toBe(`thoughtspace.v1.${method}Request`);
        expect(output).toBe(`thoughtspace.v1.${method}Response`);
      }
      expect(r.files['grpc.health.v1.Health']).toMatchObject({
        Check: ['grpc.health.v1.HealthCheckRequest', 'grpc.health.v1.HealthCheckResponse'],
        Watch: ['grpc.health.v1.HealthCheckRequest', 'grpc.health.v1.HealthCheckResponse'],
      });
      expect(r.health['']).toBe('SERVING');
      expect(r.health[spec.service]).toBe('SERVING');
      expect(r.watch).toEqual(['SERVING']);
    });
  });

  it('serves no reflection with GRPC_REFLECTION=false', async () => {
    const off = await startServerProcess(SERVERS[1], { GRPC_REFLECTION: 'false' });
    try {
      await expect(probe([off.address])).rejects.toThrow(/UNIMPLEMENTED/);
    } finally {
      await off.stop();
    }
  });
});
