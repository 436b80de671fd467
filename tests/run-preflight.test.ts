import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers';

/** A loopback port nobody listens on (bound, then closed): connecting is refused at once. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The main job checks its provider and output folder before reading or
// training anything: a dead endpoint fails in seconds with one clear line.
describe('thoughtspace run: checks before any training', () => {
  it('fails fast on a refused OpenAI endpoint, naming the flag, and trains nothing', async () => {
    const out = join(await tempDir(), 'run');
    const port = await refusedPort();
    const t0 = performance.now();
    const r = await runCli([
      'run',
      '--quick',
      '--dataset',
      'all-beauty-2018',
      '--out',
      out,
      '--provider',
      'openai',
      '--openai-base-url',
      `http://127.0.0.1:${port}/v1`,
      '--openai-model',
      'any',
    ]);
    const seconds = (performance.now() - t0) / 1000;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /--openai-base-url: provider openai unreachable at http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)/,
    );
    expect(r.stderr).not.toMatch(/training SASRec/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    // CLI start-up included; the 34 s of retries before SASRec are gone.
    expect(seconds).toBeLessThan(20);
  }, 60_000);

  it('fails before reading the dataset when --out cannot be written', async () => {
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, '');
    const r = await runCli([
      'run',
      '--quick',
      '--dataset',
      'all-beauty-2018',
      '--out',
      join(file, 'run'),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--out: cannot write to .*a-file\/run \(ENOTDIR\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
