import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { leaveOneOut, prepareDataset } from '@thoughtspace/data';
import { runCli, tempDir } from './helpers';

describe('thoughtspace CLI', () => {
  it('has --help on every command', async () => {
    for (const args of [
      [],
      ['data'],
      ['data', 'prepare'],
      ['data', 'list'],
      ['data', 'download'],
      ['baseline'],
      ['eval'],
      ['run'],
    ]) {
      const r = await runCli([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: thoughtspace/);
    }
  });

  it('data prepare reports the games-sasrec-2014 5-core figures and writes Arrow + manifest', async () => {
    const out = join(await tempDir(), 'games');
    const r = await runCli([
      'data',
      'prepare',
      '--dataset',
      'games-sasrec-2014',
      '--kcore',
      '5',
      '--passes',
      'iterative',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/final\s+24,303\s+10,672\s+231,780/);
    for (const f of ['manifest.json', 'interactions.arrow', 'items.arrow', 'users.arrow'])
      expect(existsSync(join(out, f))).toBe(true);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.options).toEqual({
      kcore: 5,
      passes: 'iterative',
      minSeqLen: 0,
      order: 'timestamp',
    });
    expect(manifest.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('data prepare reports luxury-beauty-2018 after de-duplication with --kcore 0', async () => {
    const out = join(await tempDir(), 'lux');
    const r = await runCli([
      'data',
      'prepare',
      '--dataset',
      'luxury-beauty-2018',
      '--kcore',
      '0',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/final\s+9,930\s+6,141\s+54,164/);
  });

  it('baseline pop prints every metric with CIs and writes provenance', async () => {
    const out = join(await tempDir(), 'pop.json');
    const r = await runCli([
      'baseline',
      'pop',
      '--dataset',
      'luxury-beauty-2018',
      '--protocol',
      'sampled:9',
      '--seed',
      '1',
      '--resamples',
      '200',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/HR@1\s+HR@5\s+HR@10\s+NDCG@5\s+NDCG@10\s+MRR/);
    expect(r.stdout).toMatch(/popularity\s+9154\s+0\.\d{4} \[0\.\d{4}, 0\.\d{4}\]/);
    const json = JSON.parse(await readFile(out, 'utf8'));
    expect(json.dataset.manifestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(json).toMatchObject({
      protocol: 'sampled:9',
      seed: 1,
      split: 'test',
      provider: 'none',
      method: 'popularity',
    });
    expect(json.command).toContain('baseline pop');
  });

  it('eval reads predictions, counts malformed lines and honours --strict', async () => {
    const dir = await tempDir();
    const file = join(dir, 'pred.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ user: 'a', candidates: ['x', 'y', 'z'], scores: [3, 2, 1], target: 'x' }),
        JSON.stringify({ user: 'b', candidates: ['x', 'y', 'z'], scores: [1, 2, 3], target: 'x' }),
        '{"user": "c", "candidates": [',
        JSON.stringify({ user: 'd', candidates: ['x', 'y'], scores: [1], target: 'x' }),
        JSON.stringify({ user: 'e', candidates: ['x', 'y'], scores: [5, 5], target: 'y' }),
        '',
      ].join('\n'),
    );
    const r = await runCli([
      'eval',
      '--predictions',
      file,
      '--resamples',
      '50',
      '--out',
      join(dir, 'eval.json'),
    ]);
    expect(r.code).toBe(0);
    // Ranks: a=1, b=3, e=2 (tie counts against the truth).
    expect(r.stdout).toMatch(/predictions\s+3\s+0\.3333/);
    expect(r.stdout).toMatch(/malformed lines: 2 of 5/);
    expect(r.stdout).toMatch(/pred\.jsonl:3: /);
    expect(r.stdout).toMatch(
      /pred\.jsonl:4: field "scores" must be an array as long as "candidates"/,
    );

    const strict = await runCli(['eval', '--predictions', file, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/malformed line at .*pred\.jsonl:3/);
  });

  it('eval looks targets up in the dataset when predictions omit them', async () => {
    const dir = await tempDir();
    const file = join(dir, 'pred.jsonl');
    // User "1" of luxury-beauty-2018: rank its true test item first among two made-up candidates.
    const { dataset } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
    const c = leaveOneOut(dataset).test[0];
    const user = dataset.userIds[c.user];
    const target = dataset.itemIds[c.target];
    await writeFile(
      file,
      `${JSON.stringify({ user, candidates: ['nope', target], scores: [0, 1] })}\n`,
    );
    const r = await runCli([
      'eval',
      '--predictions',
      file,
      '--dataset',
      'luxury-beauty-2018',
      '--resamples',
      '20',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/predictions\s+1\s+1\.0000/);
    expect(r.stdout).toMatch(/users of the test split have no prediction/);
  });

  it('gives clear errors and exit codes for bad input', async () => {
    const badProtocol = await runCli([
      'baseline',
      'pop',
      '--dataset',
      'luxury-beauty-2018',
      '--protocol',
      'top:9',
    ]);
    expect(badProtocol.code).toBe(2);
    expect(badProtocol.stderr).toMatch(/protocol must be "sampled:N"/);

    const unknown = await runCli(['baseline', 'pop', '--dataset', 'no-such-data']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/neither a dataset preset/);

    const badBaseline = await runCli(['baseline', 'sasrec', '--dataset', 'luxury-beauty-2018']);
    expect(badBaseline.code).toBe(2);
    expect(badBaseline.stderr).toMatch(/Allowed choices are random, pop, markov/);

    const scratch = join(await tempDir(), 'never-written');
    const badK = await runCli([
      'data',
      'prepare',
      '--dataset',
      'luxury-beauty-2018',
      '--kcore',
      '-1',
      '--out',
      scratch,
    ]);
    expect(badK.code).toBe(2);
    expect(badK.stderr).toMatch(/--kcore must be an integer >= 0/);

    const empty = await runCli([
      'data',
      'prepare',
      '--dataset',
      'all-beauty-2018',
      '--kcore',
      '50',
      '--out',
      scratch,
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty after filtering/);
  });
});
