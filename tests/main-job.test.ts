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
    // Complete, with provenance and cost: every stage was written, then the final file.
    expect(results).toMatchObject({ complete: true, seeds: [1], chance: 0.1 });
    expect(results.wallSeconds).toBeGreaterThan(0);
    expect(results.peakRssMiB).toBeGreaterThan(50);
    expect(results.uncertainty.intervals).toMatch(/bootstrap over test users/);
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
});
