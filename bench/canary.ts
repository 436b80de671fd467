/**
 * Cost of the main job's data-invariance canary stage on one dataset: the
 * stage alone (two tiny SASRecs, two one-epoch Phase Is, pools, trees and
 * features of a seeded sample of test users), with the embedded provider and
 * the main job's default tree, against the real test candidate sets.
 * Records the machine's load average before and after, since the stage's
 * wall time scales with how busy the 2 cores are. Writes
 * bench/results/canary-<dataset>.json.
 *
 *   npm run bench -- canary [--dataset luxury-beauty-2018] [--seed 1] [--cases 300]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildEvaluationSet, leaveOneOut, parseProtocol, prepareDataset } from '@thoughtspace/data';
import { INVARIANCE_BUDGET, inProcessReasons, invarianceCanaryStage } from '@thoughtspace/pipeline';
import { createProvider } from '@thoughtspace/rationale-gen';
import { arg, positiveInt } from './lib/args';

async function main(): Promise<void> {
  const name = arg('dataset', 'luxury-beauty-2018');
  const seed = positiveInt('seed', '1');
  const cases = positiveInt('cases', String(INVARIANCE_BUDGET.cases));
  const { dataset, manifest } = await prepareDataset({ dataset: name });
  const protocol = parseProtocol('sampled:9');
  const test = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    protocol,
    seed,
    loo: leaveOneOut(dataset),
  });
  const provider = await createProvider({ kind: 'embedded' });
  const loadBefore = loadavg();
  const started = performance.now();
  try {
    const block = await invarianceCanaryStage({
      dataset,
      datasetHash: manifest.hash,
      candidates: test.candidates,
      protocol,
      seed,
      cases,
      reasons: inProcessReasons(provider),
      provider: provider.name,
      branching: [2, 3],
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
    const result = {
      bench: 'canary',
      dataset: { name, manifestHash: manifest.hash, users: dataset.sequences.length },
      protocol: 'sampled:9',
      seed,
      provider: provider.name,
      command: `npm run bench -- canary ${process.argv.slice(2).join(' ')}`.trim(),
      wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      loadAverage1m: { before: loadBefore[0], after: loadavg()[0] },
      cores: 2,
      canary: block,
    };
    const out = join(__dirname, '..', 'results', `canary-${name}.json`);
    await mkdir(join(__dirname, '..', 'results'), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `${name}: data-invariance canary stage ${block.passed ? 'passed' : 'FAILED'} in ${result.wallSeconds} s (${block.cases} users; load ${loadBefore[0].toFixed(1)} -> ${result.loadAverage1m.after.toFixed(1)}); wrote ${out}\n`,
    );
  } finally {
    await provider.dispose();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
