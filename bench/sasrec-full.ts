/**
 * SASRec under full ranking next to 1 + 100 sampled negatives (issue 12,
 * item 6): for each dataset, train at the paper's settings with early
 * stopping on validation NDCG@10 (full ranking, every `--eval-every` epochs,
 * `--patience` validations), keep the best epoch, then evaluate the test
 * split both ways. Full ranking runs on the engine's batched top-k
 * (createTopK), without spelling out users x items candidate lists.
 * Results are written after every dataset to results/sasrec-full-ranking.json
 * (or `--out`), so a long run that is stopped keeps what finished; datasets
 * already in that file are kept (a dataset run again replaces its row), and
 * every row names the command that produced it.
 *
 *   npm run bench -- sasrec-full [--datasets all-beauty-2018,scientific-2018]
 *       [--epochs 200] [--eval-every 5] [--patience 5] [--seed 1] [--threads 2]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildFullRankingSet } from '@thoughtspace/baselines';
import { evaluateSasrec, trainSasrec, validateConfig } from '@thoughtspace/candidate-gen';
import { buildEvaluationSet, leaveOneOut, parseProtocol, prepareDataset } from '@thoughtspace/data';
import { arg, positiveInt } from './lib/args';

const interval = (m: { mean: number; low: number; high: number }) => ({
  mean: m.mean,
  low: m.low,
  high: m.high,
});

async function main(): Promise<void> {
  const datasets = arg('datasets', 'all-beauty-2018,scientific-2018,ml-100k,luxury-beauty-2018')
    .split(',')
    .filter(Boolean);
  const epochs = positiveInt('epochs', '200');
  const evalEvery = positiveInt('eval-every', '5');
  const patience = positiveInt('patience', '5');
  const seed = positiveInt('seed', '1');
  const threads = positiveInt('threads', '2');
  const out = resolve(
    arg('out', join(__dirname, '..', '..', 'results', 'sasrec-full-ranking.json')),
  );
  const command = `npm run bench -- sasrec-full ${process.argv.slice(2).join(' ')}`.trim();
  type Row = { dataset: { name: string } & Record<string, unknown> } & Record<string, unknown>;
  // Rows of earlier runs keep the command that produced them.
  const previous = await readFile(out, 'utf8').then(
    (text) => {
      const file = JSON.parse(text) as { command: string; datasets: Row[] };
      return file.datasets.map((r) => ({ command: file.command, ...r }));
    },
    (): Row[] => [],
  );
  const rows: Row[] = previous.filter((r) => !datasets.includes(r.dataset.name));
  const started = new Date().toISOString();
  for (const name of datasets) {
    const { dataset, manifest } = await prepareDataset({ dataset: name });
    const loo = leaveOneOut(dataset);
    const config = validateConfig({ epochs, evalEvery, patience, seed, threads });
    process.stderr.write(
      `${name}: training SASRec (paper settings, early stopping on full-ranking validation)\n`,
    );
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config,
      validProtocol: parseProtocol('full'),
    });
    const common = { dataset, datasetHash: manifest.hash, split: 'test' as const, seed, loo };
    const full = await evaluateSasrec(
      trained.trainer,
      trained.model,
      config,
      buildFullRankingSet(common),
      { silent: true },
    );
    const sampled = await evaluateSasrec(
      trained.trainer,
      trained.model,
      config,
      buildEvaluationSet({ ...common, protocol: parseProtocol('sampled:100') }),
      { silent: true },
    );
    await trained.trainer.dispose();
    const metrics = (run: typeof full) =>
      Object.fromEntries(Object.entries(run.report.metrics).map(([k, v]) => [k, interval(v)]));
    rows.push({
      command,
      finished: new Date().toISOString(),
      dataset: { name: manifest.name, manifestHash: manifest.hash, counts: manifest.report.final },
      training: {
        epochsRun: trained.epochsRun,
        bestEpoch: trained.bestEpoch,
        secondsPerEpoch: trained.secondsPerEpoch,
        earlyStopped: trained.epochsRun < epochs,
        validProtocol: 'full',
        curve: trained.curve,
      },
      test: {
        full: { cases: full.report.cases, seconds: full.seconds, metrics: metrics(full) },
        'sampled:100': {
          cases: sampled.report.cases,
          seconds: sampled.seconds,
          metrics: metrics(sampled),
        },
      },
    });
    const m = full.report.metrics;
    const s = sampled.report.metrics;
    process.stderr.write(
      `${name}: best epoch ${trained.bestEpoch}/${trained.epochsRun}; test full NDCG@10 ${m['NDCG@10'].mean.toFixed(4)} HR@10 ${m['HR@10'].mean.toFixed(4)}; sampled:100 NDCG@10 ${s['NDCG@10'].mean.toFixed(4)} HR@10 ${s['HR@10'].mean.toFixed(4)}\n`,
    );
    const result = {
      benchmark: 'sasrec-full-ranking',
      command,
      seed,
      config: validateConfig({ epochs, evalEvery, patience, seed, threads }),
      bootstrap: { resamples: 1000, level: 0.95, over: 'users' },
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      started,
      finished: new Date().toISOString(),
      datasets: rows,
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
