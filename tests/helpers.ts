import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..');
export const SHARED_DATA = resolve(REPO, '..', 'shared', 'data');
const BIN = join(REPO, 'packages', 'cli', 'bin', 'thoughtspace.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built `thoughtspace` CLI as a user would (needs `npm run build` first; `npm test` does it). */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

export function tempDir(prefix = 'ts-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
