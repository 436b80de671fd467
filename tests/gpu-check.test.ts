import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers';

// The GPU check itself needs a GPU (and its --cpu-only dry run takes about a
// minute here, too long for CI); these cases check its argument handling.
function gpuCheck(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile('bash', [join(REPO, 'scripts', 'gpu-check.sh'), ...args], (err, stdout, stderr) => {
      done({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

test('rejects a bad --steps naming the option', async () => {
  const res = await gpuCheck(['--cpu-only', '--steps', 'many']);
  expect(res.code).toBe(2);
  expect(res.output).toContain("--steps must be a positive integer, got 'many'");
});

test('rejects an unknown option naming it', async () => {
  const res = await gpuCheck(['--gpus', '2']);
  expect(res.code).toBe(2);
  expect(res.output).toContain('unknown option --gpus');
});

test('the measuring script rejects a bad provider naming the flag', async () => {
  const res = await new Promise<{ code: number; output: string }>((done) => {
    execFile(
      process.execPath,
      [join(REPO, 'scripts', 'gpu-check', 'check.js'), '--provider', 'rocm', '--out', '/dev/null'],
      (err, stdout, stderr) =>
        done({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  expect(res.code).toBe(2);
  expect(res.output).toContain('--provider must be cpu or cuda, got rocm');
});
