import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, runCli, tempDir } from './helpers';
import { tinySasrecModel } from './model-fixtures';
import { mainJs, SERVERS } from './server-processes';

function runMainJs(name: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs(name)], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('node services/<name>/dist/main.js with a bad variable', () => {
  it.each(SERVERS.map((s) => s.name))(
    '%s prints one line naming the variable and exits 2, without a stack trace',
    async (name) => {
      const { code, stderr } = await runMainJs(name, { GRPC_PORT: 'abc' });
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`${name}: invalid configuration: GRPC_PORT="abc" is not an integer`);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('the CLI gives the same message and exit code for the same input', async () => {
    const r = await runCli(['serve', 'candidate-gen', '--model', '/nonexistent'], {
      env: { GRPC_PORT: 'abc' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'thoughtspace: invalid configuration: GRPC_PORT="abc" is not an integer',
    );
  });

  it('a missing model directory exits 3 with the path, like the CLI', async () => {
    const { code, stderr } = await runMainJs('candidate-gen', {
      MODEL_DIR: '/nonexistent/model',
      GRPC_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^candidate-gen: .*\/nonexistent\/model/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a truncated model.onnx refuses to start naming the file (hash check, then the loader)', async () => {
    const dir = await tempDir('ts-truncated-');
    await cp(await tinySasrecModel(), dir, { recursive: true });
    const file = join(dir, 'model.onnx');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, 1000));
    const env = { MODEL_DIR: dir, GRPC_PORT: '0', LOG_LEVEL: 'silent' };
    // The manifest's sha256 catches it first, naming the file.
    const hashed = await runMainJs('candidate-gen', env);
    expect(hashed.code).toBe(3);
    expect(hashed.stderr).toContain(`${file} does not match the manifest`);
    expect(hashed.stderr.trim().split('\n')).toHaveLength(1);
    // With a manifest that agrees with the damaged bytes, onnxruntime's load error names file and size.
    const manifestPath = join(dir, 'model.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.sha256['model.onnx'] = createHash('sha256')
      .update(bytes.subarray(0, 1000))
      .digest('hex');
    await writeFile(manifestPath, JSON.stringify(manifest));
    const loaded = await runMainJs('candidate-gen', env);
    expect(loaded.code).toBe(3);
    expect(loaded.stderr).toContain(`could not load ${file} (1000 bytes) on cpu`);
    expect(loaded.stderr.trim().split('\n')).toHaveLength(1);
  });
});
