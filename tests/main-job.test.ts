import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  }, 600_000);
});
