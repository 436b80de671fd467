import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BUILD = path.join(ROOT, 'tools/broker/build.sh');

function build(force: boolean): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', force ? [BUILD, '--force'] : [BUILD], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/**
 * Jest runs broker suites in parallel workers and each one calls
 * tools/broker/build.sh; a CI run once failed when two builds shared one temp
 * file ("mv: cannot stat 'dist/broker.tmp'"). Several forced builds at once
 * must all succeed and leave one executable broker.
 */
describe('tools/broker/build.sh', () => {
  it('succeeds for every one of several concurrent callers', async () => {
    const results = await Promise.all([build(true), build(true), build(false), build(true)]);
    for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
    expect(() =>
      accessSync(path.join(ROOT, 'tools/broker/dist/broker'), constants.X_OK),
    ).not.toThrow();
  });
});
