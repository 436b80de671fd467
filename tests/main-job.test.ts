import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareDataset } from '@thoughtspace/data';
import { readServingBundle } from '@thoughtspace/pipeline';
import { loadServedScorer } from '@thoughtspace/scorer';
import { runCli, tempDir } from './helpers';

// The main job end to end on real data at CI size: baselines, SASRec, the
// Thought-Space stages (embedded provider), the ablation rows and the canary.
describe('thoughtspace run --quick', () => {
  it('produces every row of the main table, a canary at chance and the report files', async () => {
    const out = join(await tempDir(), 'run');
    const r = await runCli([
      'run',
      '--quick',
      '--dataset',
      'all-beauty-2018',
      '--out',
      out,
      '--resamples',
      '200',
    ]);
    if (r.code !== 0) throw new Error(`run failed (${r.code}): ${r.stderr.slice(-2000)}`);
    for (const row of [
      'random',
      'popularity',
      'markov',
      'sasrec',
      'scorer, no reason',
      'control: no reason, matched channels',
      "control: another user's reason",
      "control: reason listing neighbours' items only",
      'scorer + base reason',
      'scorer + tree, random leaf',
      'scorer + tree, thought space',
      'scorer + tree, generic space',
    ]) {
      expect(r.stdout).toContain(row);
    }
    expect(r.stdout).toMatch(/rationale provider embedded/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.provider).toBe('embedded');
    // The composer has no token probabilities: no likelihood row, and a note saying why.
    expect(r.stdout).not.toContain('scorer + tree, likelihood');
    expect(results.notes).toContain(
      'likelihood row skipped: provider embedded exposes no log-probabilities (use --provider llama-cpp --gguf <model>)',
    );
    // Complete, with provenance and cost: every stage was written, then the final file.
    expect(results).toMatchObject({ complete: true, seeds: [1], chance: 0.1 });
    expect(results.wallSeconds).toBeGreaterThan(0);
    expect(results.peakRssMiB).toBeGreaterThan(50);
    expect(results.uncertainty.intervals).toMatch(/bootstrap over test users/);
    // Per-stage cost (bench/scale.ts reads it): every stage of the job, timed, with its peak RSS.
    // all-beauty-2018's 2,169 users are under the --quick cap: no user sample.
    expect(results.userSample).toBeUndefined();
    const stages = results.stages as { stage: string; seconds: number; peakRssMiB: number }[];
    expect(stages.map((s) => s.stage)).toEqual(
      expect.arrayContaining([
        'split + candidates',
        'baselines',
        'sasrec',
        'reasoning: phase I (rationales + thought space)',
        'reasoning: valid trees + features',
        'reasoning: test trees + features',
        'reasoning: leakage canary',
        'reasoning: invariance canary',
        'paired tests + results',
      ]),
    );
    for (const s of stages) {
      expect(s.seconds).toBeGreaterThanOrEqual(0);
      expect(s.peakRssMiB).toBeGreaterThan(50);
      expect(s.peakRssMiB).toBeLessThanOrEqual(results.peakRssMiB + 1);
    }
    const total = stages.reduce((t, s) => t + s.seconds, 0);
    expect(total).toBeLessThanOrEqual(results.wallSeconds + 1);
    expect(total).toBeGreaterThan(0.5 * results.wallSeconds);
    const canary = results.reasoning.canary;
    const cases = results.methods[0].cases;
    // Chance is 1/10; the canary must sit within 4 standard errors of it.
    expect(Math.abs(canary.metrics['HR@1'].mean - canary.chance)).toBeLessThan(
      4 * Math.sqrt((0.1 * 0.9) / cases),
    );
    expect(results.reasoning.encoder.recallAfter.mean).toBeGreaterThan(1 / 11);
    // Both canaries run in the main job: the data-invariance canary on a seeded sample of test
    // users sees no scorer input move with the targets, and sees the planted leak in every variant.
    const invariance = results.canaries.dataInvariance;
    expect(invariance).toMatchObject({ cases: 300, moved: 300, differences: [], passed: true });
    expect(invariance.positiveControl.differences).toHaveLength(invariance.variants.length);
    expect(results.canaries.labelPermutation.method).toBe(canary.method);
    expect(r.stdout).toMatch(/data-invariance canary \(300 sampled test users.*passed/);
    for (const m of results.methods) {
      expect(m.dataset.manifestHash).toMatch(/^[0-9a-f]{64}$/);
      expect(m).toMatchObject({ protocol: 'sampled:9', seed: 1 });
      if (m.method !== 'sasrec') expect(m.versus.method).toBe('sasrec');
    }
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Leakage canary');
    for (const f of ['metrics.svg', 'learning-curve.svg', 'thought-space-projection.svg'])
      expect((await readFile(join(out, f), 'utf8')).startsWith('<svg')).toBe(true);
    // The interactive report: the markdown, then metrics, learning curve and projection charts.
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.match(/<div class="chart" id="chart-\d">/g)).toHaveLength(3);
    expect(html.includes('Leakage canary')).toBe(true);

    // The served method's test predictions (what the agent's evaluate stage and the
    // evaluator's Compare read): `thoughtspace eval` of the file reproduces its row exactly.
    const evalOut = join(out, 'eval-check.json');
    const e = await runCli([
      'eval',
      '--predictions',
      join(out, 'evaluation', 'predictions.jsonl'),
      '--resamples',
      '200',
      '--out',
      evalOut,
    ]);
    if (e.code !== 0) throw new Error(`eval failed (${e.code}): ${e.stderr.slice(-2000)}`);
    const evaluated = JSON.parse(await readFile(evalOut, 'utf8'));
    const served = results.methods.find(
      (m: { method: string }) => m.method === 'scorer + tree, thought space',
    );
    expect(evaluated.cases).toBe(served.cases);
    expect(evaluated.metrics).toEqual(served.metrics);

    // The servable bundle `thoughtspace up --run` starts: its scorer serves a test user.
    const bundle = await readServingBundle(out);
    expect(bundle.manifest).toMatchObject({
      provider: 'embedded',
      seed: 1,
      dataset: { name: 'all-beauty-2018', manifestHash: results.dataset.manifestHash },
    });
    const { dataset, manifest } = await prepareDataset({ dataset: 'all-beauty-2018' });
    const scorer = await loadServedScorer({
      modelDir: bundle.modelDirs.scorer,
      sasrecDir: bundle.modelDirs['candidate-gen'],
      encoderDir: bundle.modelDirs.encoder,
      dataset,
      manifestHash: manifest.hash,
      threads: 1,
    });
    try {
      const history = Array.from(dataset.sequences[0].slice(0, -1), (i) => ({
        itemId: dataset.itemIds[i],
      }));
      const candidates = dataset.itemIds.slice(0, 25);
      const withReason = await scorer.domain.score({
        history,
        candidates,
        reason: 'gentle on skin',
      });
      const without = await scorer.domain.score({ history, candidates, reason: null });
      expect(withReason).toHaveLength(25);
      expect(Array.from(withReason).every(Number.isFinite)).toBe(true);
      expect(Array.from(withReason)).not.toEqual(Array.from(without));
    } finally {
      await scorer.dispose();
    }
  }, 900_000); // several minutes of real training: a busy 2-core machine needs more than jest's default

  it('caps the users at a seeded sample, says so in the table and results.json', async () => {
    const out = join(await tempDir(), 'capped');
    const args = ['run', '--quick', '--no-reasoning', '--dataset', 'all-beauty-2018'];
    const r = await runCli([...args, '--max-users', '300', '--out', out, '--resamples', '20']);
    if (r.code !== 0) throw new Error(`run failed (${r.code}): ${r.stderr.slice(-2000)}`);
    expect(r.stdout).toMatch(
      /note: users: a seeded sample of 300 of 2,169 users \(--max-users 300/,
    );
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    const full = await prepareDataset({ dataset: 'all-beauty-2018' });
    expect(results.userSample).toMatchObject({ users: 300, of: 2169, seed: 1 });
    expect(results.userSample.fromManifest).toBe(full.manifest.hash);
    expect(results.dataset.manifestHash).toBe(results.userSample.sampleManifest);
    expect(results.dataset.manifestHash).not.toBe(full.manifest.hash);
    expect(results.dataset.counts).toMatchObject({ users: 300, items: 1854 });
    // Every user of the sample with 3+ interactions is a test case; none beyond the sample.
    expect(results.methods[0].cases).toBeLessThanOrEqual(300);
    expect(results.methods[0].cases).toBeGreaterThan(100);
    const bad = await runCli([...args, '--max-users', '-5', '--out', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--max-users must be an integer >= 0/);
  }, 300_000);
});
