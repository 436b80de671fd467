import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockError, blockNames, replaceBlocks } from '../scripts/results/blocks';
import { renderBlock, ResultsError } from '../scripts/results/generators';

describe('README result blocks', () => {
  const doc = [
    'intro',
    '<!-- results:a file=x.json -->',
    'old a',
    '<!-- /results:a -->',
    'middle',
    '<!-- results:b -->',
    '<!-- /results:b -->',
    'end',
    '',
  ].join('\n');

  it('replaces each body with its generator output and keeps the rest', () => {
    const out = replaceBlocks(doc, (b) => `${b.name}:${b.attrs.file ?? '-'}`);
    expect(out).toBe(
      [
        'intro',
        '<!-- results:a file=x.json -->',
        'a:x.json',
        '<!-- /results:a -->',
        'middle',
        '<!-- results:b -->',
        'b:-',
        '<!-- /results:b -->',
        'end',
        '',
      ].join('\n'),
    );
    expect(replaceBlocks(out, (b) => `${b.name}:${b.attrs.file ?? '-'}`)).toBe(out);
    expect(blockNames(doc)).toEqual(['a', 'b']);
  });

  it('refuses an unclosed block', () => {
    expect(() => replaceBlocks('<!-- results:a -->\ntext\n', () => '')).toThrow(BlockError);
  });

  it('renders a table from a results file and refuses unknown generators and missing files', () => {
    const root = mkdtempSync(join(tmpdir(), 'results-'));
    mkdirSync(join(root, 'r'));
    const metrics = {
      'NDCG@10': { mean: 0.51234, low: 0.5, high: 0.52 },
      'HR@10': { mean: 0.7, low: 0.69, high: 0.71 },
    };
    writeFileSync(
      join(root, 'r', 's.json'),
      JSON.stringify({
        method: 'sasrec',
        dataset: { name: 'd', manifestHash: 'abcdef0123456789' },
        protocol: 'sampled:100',
        seed: 1,
        metrics,
      }),
    );
    const md = renderBlock({ name: 'eval-rows', attrs: { files: 'r/s.json' }, body: '' }, root);
    expect(md).toContain('0.5123 [0.5000, 0.5200]');
    expect(md).toContain('`abcdef012345`');
    expect(() => renderBlock({ name: 'nope', attrs: {}, body: '' }, root)).toThrow(ResultsError);
    expect(() =>
      renderBlock({ name: 'eval-rows', attrs: { files: 'r/missing.json' }, body: '' }, root),
    ).toThrow(/cannot read r\/missing.json/);
  });

  it('renders the seed table with mean ± sd and the largest Holm p', () => {
    const root = mkdtempSync(join(tmpdir(), 'results-'));
    const ms = (mean: number, sd: number) => ({ mean, sd, perSeed: [mean - sd, mean + sd] });
    writeFileSync(
      join(root, 'seeds.json'),
      JSON.stringify({
        dataset: { name: 'd', manifestHash: 'abcdef0123456789' },
        protocol: 'sampled:9',
        provider: 'embedded',
        seeds: [1, 2],
        command: 'thoughtspace run --seeds 1,2',
        wallSeconds: 120,
        methods: [
          {
            method: 'sasrec',
            provider: 'none',
            cases: 7,
            metrics: { 'HR@1': ms(0.5, 0.01), 'NDCG@10': ms(0.7, 0.02), MRR: ms(0.6, 0.03) },
          },
        ],
        comparisons: [
          {
            method: 'a',
            versus: 'sasrec',
            metrics: Object.fromEntries(
              ['HR@1', 'NDCG@10', 'MRR'].map((k) => [
                k,
                { difference: ms(0.02, 0.005), pHolm: [0.003, 0.03], pHolmMax: 0.03 },
              ]),
            ),
          },
        ],
      }),
    );
    const md = renderBlock({ name: 'main-seeds', attrs: { file: 'seeds.json' }, body: '' }, root);
    expect(md).toContain('| sasrec (none) | 0.5000 ± 0.0100 | 0.7000 ± 0.0200 | 0.6000 ± 0.0300 |');
    expect(md).toContain('| a vs sasrec | +0.0200 ± 0.0050 (Holm p ≤ 0.0300) |');
    expect(md).toContain('seeds 1, 2');
    expect(md).toContain('wall time 2.0 min');
  });

  it('renders both canaries with their verdicts, and refuses a file without them', () => {
    const root = mkdtempSync(join(tmpdir(), 'results-'));
    const labelPermutation = {
      method: 'canary: x, permuted labels',
      chance: 0.1,
      metrics: { 'HR@1': { mean: 0.0974, low: 0.0915, high: 0.1033 } },
      atChance: true,
    };
    const dataInvariance = {
      cases: 300,
      moved: 300,
      variants: ['no-reason', 'thought-space'],
      differences: [{ variant: 'thought-space', field: 'reason', cases: 7 }],
      positiveControl: { leak: 'popularity-over-all-interactions', differences: [{}, {}] },
      passed: false,
      seconds: 95.2,
    };
    writeFileSync(
      join(root, 'run.json'),
      JSON.stringify({ canaries: { labelPermutation, dataInvariance } }),
    );
    writeFileSync(join(root, 'old.json'), JSON.stringify({ reasoning: {} }));
    const md = renderBlock({ name: 'main-canaries', attrs: { file: 'run.json' }, body: '' }, root);
    expect(md).toContain('HR@1 0.0974 [0.0915, 0.1033] against chance 0.1000: **at chance**');
    expect(md).toContain(
      '300 sampled test users, 2 variants): inputs moved: thought-space reason (7 cases)',
    );
    expect(md).toContain('seen in 2 of 2 variants: **failed** (95 s)');
    expect(() =>
      renderBlock({ name: 'main-canaries', attrs: { file: 'old.json' }, body: '' }, root),
    ).toThrow(/has no canaries section/);
  });
});
