import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dockerIgnored, parseDockerfile, type Stage } from './dockerfile';
import { REPO } from './tools';

// No container engine runs here (a docker client, no daemon): these tests check
// what can be checked without building — COPY sources, pinned bases, the user,
// and that the entrypoint and the chart's commands are files the build produces.

const DOCKERFILES = ['docker/Dockerfile', 'docker/Dockerfile.cuda'];
const IGNORE = readFileSync(join(REPO, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Expand one COPY source (with `*` in path segments) against the repository. */
function expand(pattern: string): string[] {
  let paths = [''];
  for (const segment of pattern.replace(/^\.\//, '').split('/')) {
    const next: string[] = [];
    for (const p of paths) {
      if (!segment.includes('*')) {
        next.push(p ? `${p}/${segment}` : segment);
        continue;
      }
      const dir = join(REPO, p);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const re = new RegExp(`^${segment.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
      for (const e of readdirSync(dir)) if (re.test(e)) next.push(p ? `${p}/${e}` : e);
    }
    paths = next;
  }
  return paths.filter((p) => existsSync(join(REPO, p)));
}

function finalStage(stages: Stage[]): Stage {
  return stages[stages.length - 1];
}

describe.each(DOCKERFILES)('%s', (file) => {
  const { stages } = parseDockerfile(join(REPO, file));

  test('is multi-stage with bases pinned to an exact version tag or a digest', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      if (stages.some((o) => o.name === s.base)) continue; // FROM an earlier stage
      expect(s.base).toMatch(/(:[\w.-]*\d+\.\d+\.\d+[\w.-]*|@sha256:[a-f0-9]{64})$/);
      expect(s.base).not.toMatch(/:latest$/);
    }
  });

  test('every COPY from the build context names files that exist and are not dockerignored', () => {
    const missing: string[] = [];
    for (const s of stages) {
      for (const ins of s.instructions.filter((i) => i.keyword === 'COPY' && !i.flags.from)) {
        for (const src of ins.args.slice(0, -1)) {
          const found = expand(src).filter((p) => !dockerIgnored(p, IGNORE));
          if (found.length === 0) missing.push(`line ${ins.line}: ${src}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test('COPY --from names an earlier stage and copies paths that stage writes under /app', () => {
    const names = stages.map((s) => s.name);
    stages.forEach((s, i) => {
      for (const ins of s.instructions.filter((x) => x.keyword === 'COPY' && x.flags.from)) {
        const from = String(ins.flags.from);
        expect(names.slice(0, i)).toContain(from);
        const producer = stages.find((x) => x.name === from)!;
        for (const src of ins.args.slice(0, -1)) {
          if (!src.startsWith('/app/')) continue;
          const rel = src.slice('/app/'.length);
          const written = producer.instructions.some(
            (x) =>
              (x.keyword === 'COPY' && x.args.slice(-1)[0].replace(/^\.\//, '') === rel) ||
              (x.keyword === 'COPY' && x.args.slice(0, -1).includes(rel)) ||
              (x.keyword === 'RUN' && /npm ci/.test(x.args.join(' ')) && rel === 'node_modules'),
          );
          expect(`${rel}: ${written}`).toBe(`${rel}: true`);
        }
      }
    });
  });

  test('the final stage runs as a numeric non-root user', () => {
    const users = finalStage(stages).instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const [uid, gid] = users[users.length - 1].args[0].split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(gid === undefined || Number(gid) > 0).toBe(true);
  });

  test('the entrypoint is a file the build produces', () => {
    const entry = finalStage(stages).instructions.find((i) => i.keyword === 'ENTRYPOINT')!;
    expect(entry.json?.[0]).toBe('node');
    const script = entry.json![1];
    expect(script).toBe('packages/cli/dist/bin.js');
    // dist/ comes from src/ by tsc (outDir dist, rootDir src), run by `npm run build`.
    expect(existsSync(join(REPO, 'packages/cli/src/bin.ts'))).toBe(true);
    const tsconfig = JSON.parse(readFileSync(join(REPO, 'packages/cli/tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    const build = stages.find((s) => s.name === 'build')!;
    expect(
      build.instructions.some((i) => i.keyword === 'RUN' && /npm run build/.test(i.args.join(' '))),
    ).toBe(true);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toContain('tsc -b');
    // After `npm run build` here (npm test builds first), the file is really there.
    expect(existsSync(join(REPO, script))).toBe(true);
  });
});

test('.dockerignore keeps host builds and dependencies out of the context', () => {
  for (const p of ['node_modules', 'packages/cli/node_modules', 'packages/cli/dist', '.git']) {
    expect(dockerIgnored(p, IGNORE)).toBe(true);
  }
  for (const p of ['packages/cli/src/bin.ts', 'package-lock.json', '.npmrc', 'proto']) {
    expect(dockerIgnored(p, IGNORE)).toBe(false);
  }
});

test("the CUDA image installs onnxruntime-node's cuda12 build and keeps node-llama-cpp's CUDA package", () => {
  const text = readFileSync(join(REPO, 'docker/Dockerfile.cuda'), 'utf8');
  expect(text).toMatch(
    /ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/,
  );
  expect(text).toMatch(/test -d node_modules\/@node-llama-cpp\/linux-x64-cuda/);
  expect(existsSync(join(REPO, 'node_modules/onnxruntime-node/script/install.js'))).toBe(true);
  expect(parseDockerfile(join(REPO, 'docker/Dockerfile.cuda')).stages.at(-1)!.base).toMatch(
    /^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-/,
  );
});

test("the serving chart's commands are the services' built entrypoints", () => {
  const values = parse(readFileSync(join(REPO, 'charts/thoughtspace/values.yaml'), 'utf8')) as {
    services: Record<
      string,
      { kind?: string; command: string[]; kafka?: { consumer?: { command?: string[] } } }
    >;
  };
  const built = (command: string[]) => {
    expect(command[0]).toBe('node');
    expect(existsSync(join(REPO, command[1]))).toBe(true);
    expect(
      existsSync(join(REPO, command[1].replace('/dist/', '/src/').replace(/\.js$/, '.ts'))),
    ).toBe(true);
  };
  for (const [name, svc] of Object.entries(values.services)) {
    // A server runs its own service; a stage worker the stage-worker service.
    expect(svc.command).toEqual(
      svc.kind === 'worker'
        ? ['node', 'services/stage-worker/dist/main.js']
        : ['node', `services/${name}/dist/main.js`],
    );
    built(svc.command);
    if (svc.kafka?.consumer?.command) built(svc.kafka.consumer.command);
  }
});
