/**
 * SASRec speed and accuracy at the paper's settings on games-sasrec-2014,
 * against the reference PyTorch implementation measured on this machine
 * (issue 4: PyTorch 1.13 CPU, 20 epochs in 752 s = 37.6 s/epoch, ~825
 * training sequences/s, test NDCG@10 0.4499 / HR@10 0.6849 at epoch 20).
 * Trains `--epochs` epochs with no early stopping, evaluates on test with
 * 1 + 100 sampled negatives, writes bench/results/sasrec.json.
 *
 *   npm run bench -- sasrec [--epochs 20] [--seed 1] [--threads 2]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluateSasrec, trainSasrec, validateConfig } from '@thoughtspace/candidate-gen';
import { buildEvaluationSet, leaveOneOut, parseProtocol, prepareDataset } from '@thoughtspace/data';

const REFERENCE = {
  implementation: 'SASRec.pytorch (PyTorch 1.13, CPU)',
  epochs: 20,
  seconds: 752,
  secondsPerEpoch: 37.6,
  sequencesPerSecond: 825,
  testNdcg10: 0.4499,
  testHr10: 0.6849,
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const epochs = Number(arg('epochs', '20'));
  const seed = Number(arg('seed', '1'));
  const threads = Number(arg('threads', '2'));
  const { dataset, manifest } = await prepareDataset({ dataset: 'games-sasrec-2014' });
  const loo = leaveOneOut(dataset);
  const protocol = parseProtocol('sampled:100');
  const config = validateConfig({ epochs, evalEvery: epochs, patience: 0, seed, threads });
  const trained = await trainSasrec({
    dataset,
    datasetHash: manifest.hash,
    loo,
    config,
    validProtocol: protocol,
  });
  const set = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    protocol,
    seed,
    loo,
  });
  const run = await evaluateSasrec(trained.trainer, trained.model, config, set, { silent: true });
  await trained.trainer.dispose();
  const m = run.report.metrics;
  const result = {
    benchmark: 'sasrec-paper-settings',
    dataset: { name: manifest.name, manifestHash: manifest.hash, counts: manifest.report.final },
    config,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    ours: {
      epochs: trained.epochsRun,
      trainSeconds: trained.trainSeconds,
      secondsPerEpoch: trained.secondsPerEpoch,
      sequencesPerSecond: trained.sequencesPerSecond,
      test: {
        protocol: 'sampled:100',
        seed,
        NDCG10: m['NDCG@10'],
        HR10: m['HR@10'],
        HR1: m['HR@1'],
        MRR: m.MRR,
      },
    },
    reference: REFERENCE,
    ratios: {
      speedup: REFERENCE.secondsPerEpoch / trained.secondsPerEpoch,
      ndcg10: m['NDCG@10'].mean / REFERENCE.testNdcg10,
      hr10: m['HR@10'].mean / REFERENCE.testHr10,
    },
    command: `npm run bench -- sasrec --epochs ${epochs} --seed ${seed} --threads ${threads}`,
    createdAt: new Date().toISOString(),
  };
  console.log(
    `\nSASRec, games-sasrec-2014 (manifest ${manifest.hash.slice(0, 12)}), paper settings, ${trained.epochsRun} epochs, seed ${seed}`,
  );
  console.log(
    `ours:      ${trained.secondsPerEpoch.toFixed(2)} s/epoch, ${Math.round(trained.sequencesPerSecond)} sequences/s, test NDCG@10 ${m['NDCG@10'].mean.toFixed(4)} [${m['NDCG@10'].low.toFixed(4)}, ${m['NDCG@10'].high.toFixed(4)}], HR@10 ${m['HR@10'].mean.toFixed(4)}`,
  );
  console.log(
    `reference: ${REFERENCE.secondsPerEpoch} s/epoch, ${REFERENCE.sequencesPerSecond} sequences/s, test NDCG@10 ${REFERENCE.testNdcg10}, HR@10 ${REFERENCE.testHr10}`,
  );
  console.log(
    `speed-up ${result.ratios.speedup.toFixed(2)}x; NDCG@10 ratio ${result.ratios.ndcg10.toFixed(3)}, HR@10 ratio ${result.ratios.hr10.toFixed(3)}`,
  );
  const dir = resolve(__dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'sasrec.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${join(dir, 'sasrec.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
