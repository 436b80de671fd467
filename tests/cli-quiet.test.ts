import { spawn } from 'node:child_process';
import { REPO } from './helpers';

/** `npx thoughtspace --help` from the repository root, as a new user runs it. */
function npxHelp(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['thoughtspace', '--help'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI is quiet by default', () => {
  it('`npx thoughtspace --help` prints the usage and no npm warning', async () => {
    const r = await npxHelp();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: thoughtspace/);
    expect(r.stderr).not.toMatch(/npm warn/i);
    expect(r.stderr).toBe('');
  });
});
