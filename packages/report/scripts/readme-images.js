#!/usr/bin/env node
// Re-renders the README's pictures under docs/images/ through the vega-lite charts,
// from the results they were first drawn from. Run after `npm run build`:
//   node packages/report/scripts/readme-images.js [--encoder-run runs/encoder]
// - all-beauty-2018-quick-main.svg: the main table with controls, from
//   results/main/all-beauty-2018-quick-seed1.json.
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
  const file = join(root, 'results', 'main', 'all-beauty-2018-quick-seed1.json');
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const metrics = ['HR@1', 'HR@5', 'NDCG@5', 'NDCG@10', 'MRR'];
  const cases = r.methods[0].cases;
  const svg = await barChart({
    title: `${r.dataset.name}: test metrics (${r.protocol})`,
    subtitle: `manifest ${r.dataset.manifestHash.slice(0, 12)}, seed ${r.seed}, 95% bootstrap CIs over ${cases} users (results/main/all-beauty-2018-quick-seed1.json)`,
    yLabel: 'score (95% CI)',
    groups: metrics.map((label) => ({
      label,
      values: r.methods.map((m) => ({
        series: m.method,
        value: m.metrics[label].mean,
        low: m.metrics[label].low,
        high: m.metrics[label].high,
      })),
    })),
  });
  writeFileSync(join(images, 'all-beauty-2018-quick-main.svg'), svg);
  return `all-beauty-2018-quick-main.svg (${r.methods.length} methods x ${metrics.length} metrics)`;
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
