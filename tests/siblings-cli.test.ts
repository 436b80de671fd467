import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers';

// `thoughtspace train coderrec|reaemb` as a process, tiny settings on all-beauty-2018.
describe('thoughtspace train coderrec|reaemb', () => {
  it('has --help on both commands', async () => {
    for (const args of [
      ['train', 'coderrec'],
      ['train', 'reaemb'],
    ]) {
      const r = await runCli([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: thoughtspace train/);
    }
  });

  it('rejects a bad flag naming it', async () => {
    const r = await runCli([
      'train',
      'coderrec',
      '--dataset',
      'all-beauty-2018',
      '--out',
      '/tmp/x',
      '--codes',
      '0',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--codes/);
  });

  it('trains CoderRec and writes servable phase 1 and phase 2 model directories', async () => {
    const out = join(await tempDir(), 'coderrec');
    const r = await runCli([
      'train',
      'coderrec',
      '--dataset',
      'all-beauty-2018',
      '--out',
      out,
      '--hidden',
      '16',
      '--max-len',
      '10',
      '--phase1-epochs',
      '1',
      '--phase2-epochs',
      '1',
      '--codes',
      '16',
      '--rqvae-epochs',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/RQ-VAE usage [\d.]+\/[\d.]+\/[\d.]+, \d+ colliding items/);
    for (const phase of ['phase1', 'phase2']) {
      const manifest = JSON.parse(await readFile(join(out, phase, 'model.json'), 'utf8')) as {
        variant: string;
        config: { maxLen: number; hidden: number };
      };
      expect(manifest.variant).toBe(`coderrec-${phase}`);
      expect(manifest.config).toMatchObject({ maxLen: 10, hidden: 16 });
    }
  }, 180_000);
});
