#!/usr/bin/env node
// Re-renders the README's pictures under docs/images/ through the vega-lite charts,
// from the results they were first drawn from. Run after `npm run build`:
//   node packages/report/scripts/readme-images.js [--encoder-run runs/encoder]
// - luxury-beauty-2018-main.svg: the main table in README.md (means and 95% CIs
//   of `npm run main`, whose runs/main/results.json is not committed).
// - sasrec-games-learning-curve.svg: sasrec-games-learning-curve.digitized.json
//   (see its `source`), through candidate-gen's writeLearningCurve.
// - encoder-projection-item-text-stand-in.svg: copied from a fresh
//   runEncoderExperiment output directory (docs/encoder.md has the command).
const { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const images = join(root, 'docs', 'images');
const { barChart } = require('../dist');

async function mainTable() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const start = readme.findIndex((l) => l.startsWith('| method (provider) |'));
  if (start < 0) throw new Error('README.md: main table header "| method (provider) |" not found');
  const metrics = readme[start]
    .split('|')
    .slice(2, -1)
    .map((c) => c.trim());
  const rows = [];
  for (const line of readme.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .replace(/\*\*/g, '')
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const name = cells[0].replace(/ \([^)]*\)$/, '');
    const values = cells.slice(1).map((c, i) => {
      const m = /^([\d.]+) \[([\d.]+), ([\d.]+)\]$/.exec(c);
      if (!m) throw new Error(`README.md main table: ${name} ${metrics[i]}: cannot read "${c}"`);
      return { value: Number(m[1]), low: Number(m[2]), high: Number(m[3]) };
    });
    rows.push({ name, values });
  }
  const svg = await barChart({
    title: 'luxury-beauty-2018: test metrics (sampled:9)',
    subtitle: 'manifest f7375c3722e3, seed 1, 95% bootstrap CIs over 9154 users',
    yLabel: 'score (95% CI)',
    groups: metrics.map((label, i) => ({
      label,
      values: rows.map((r) => ({ series: r.name, ...r.values[i] })),
    })),
  });
  writeFileSync(join(images, 'luxury-beauty-2018-main.svg'), svg);
  return `luxury-beauty-2018-main.svg (${rows.length} methods x ${metrics.length} metrics)`;
}

async function sasrecCurve() {
  const { writeLearningCurve } = require('../../../services/candidate-gen/dist');
  const data = JSON.parse(
    readFileSync(join(__dirname, 'sasrec-games-learning-curve.digitized.json'), 'utf8'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'sasrec-curve-'));
  await writeLearningCurve(
    dir,
    data.curve,
    `${data.dataset.name} (manifest ${data.dataset.manifestHash}), seed ${data.seed}`,
  );
  copyFileSync(join(dir, 'learning-curve.svg'), join(images, 'sasrec-games-learning-curve.svg'));
  return `sasrec-games-learning-curve.svg (${data.curve.length} epochs)`;
}

function encoderProjection(run) {
  const from = join(run, 'projection.svg');
  if (!existsSync(from)) return `encoder projection skipped: no ${from}`;
  copyFileSync(from, join(images, 'encoder-projection-item-text-stand-in.svg'));
  return `encoder-projection-item-text-stand-in.svg (from ${from})`;
}

async function main() {
  const at = process.argv.indexOf('--encoder-run');
  const encoderRun = at > 0 ? process.argv[at + 1] : join(root, 'runs', 'encoder');
  for (const step of [mainTable, sasrecCurve, () => encoderProjection(encoderRun)])
    console.log(`wrote ${await step()}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
