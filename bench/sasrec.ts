/**
 * SASRec speed and accuracy, ours (the engine on onnxruntime) side by side
 * with a PyTorch CPU SASRec of the same architecture (bench/pytorch/sasrec.py),
 * at the same settings (the paper's: batch 128, length 50, dim 50, 2 blocks,
 * 1 head, dropout 0.5, Adam lr 0.001), the same thread count, on the same
 * exported training sequences, scored on the same test candidates (1 + 100
 * sampled negatives). Epochs alternate between the two (ours first on odd
 * epochs, PyTorch first on even ones) so both see the same machine load.
 * Reports seconds per epoch (median), the ratio PyTorch / ours, and test
 * NDCG@10 / HR@10 with bootstrap CIs for both. Writes bench/results/sasrec.json.
 * Installs Debian's python3-torch when it is missing and we are root.
 *
 *   npm run bench -- sasrec [--epochs 3] [--paper] [--seed 1] [--threads 2]
 *       [--dataset games-sasrec-2014]
 * `--paper` trains 200 epochs each (the paper's length; hours).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  buildSasrec,
  epochBatches,
  evaluateSasrec,
  validateConfig,
} from '@thoughtspace/candidate-gen';
import { buildEvaluationSet, leaveOneOut, parseProtocol, prepareDataset } from '@thoughtspace/data';
import { adam, Trainer } from '@thoughtspace/engine';
import { reportFromRanks, type MetricReport } from '@thoughtspace/metrics';
import { arg, positiveInt } from './lib/args';

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(__dirname, '..', 'pytorch', 'sasrec.py');

/** Debian's python3-torch, installed here when missing (root only). */
function torchVersion(): string {
  const probe = () =>
    spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  let r = probe();
  if (r.status !== 0) {
    if (process.getuid?.() !== 0)
      throw new Error(
        `PyTorch is missing for ${PYTHON}: run \`apt-get install -y python3-torch\` as root`,
      );
    process.stderr.write('installing python3-torch (Debian) ...\n');
    const apt = spawnSync('apt-get', ['install', '-y', 'python3-torch'], { stdio: 'inherit' });
    if (apt.status !== 0) throw new Error('apt-get install -y python3-torch failed');
    r = probe();
    if (r.status !== 0) throw new Error(`PyTorch still fails to import: ${r.stderr}`);
  }
  return r.stdout.trim();
}

/** The PyTorch process, driven one command per line (see bench/pytorch/sasrec.py). */
function startPytorch(args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, [SCRIPT, ...args]);
  child.stderr.on('data', (b: Buffer) => process.stderr.write(b));
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`pytorch process exited with ${code}`))),
  );
  return {
    async send<T>(command: string): Promise<T> {
      child.stdin.write(`${command}\n`);
      const line = await Promise.race([replies.next(), exited]);
      if (line.done) throw new Error('pytorch process closed its output');
      const reply = JSON.parse(line.value) as T & { error?: string };
      if (reply.error) throw new Error(`pytorch: ${reply.error}`);
      return reply;
    },
    quit(): void {
      child.removeAllListeners('exit');
      child.stdin.end('quit\n');
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function accuracy(report: MetricReport) {
  const pick = (m: 'NDCG@10' | 'HR@10' | 'HR@1' | 'MRR') => report.metrics[m];
  return { NDCG10: pick('NDCG@10'), HR10: pick('HR@10'), HR1: pick('HR@1'), MRR: pick('MRR') };
}

async function main(): Promise<void> {
  const paper = process.argv.includes('--paper');
  const epochs = paper ? 200 : positiveInt('epochs', '3');
  const seed = positiveInt('seed', '1');
  const threads = positiveInt('threads', '2');
  const datasetName = arg('dataset', 'games-sasrec-2014');
  const torch = torchVersion();
  const { dataset, manifest } = await prepareDataset({ dataset: datasetName });
  const loo = leaveOneOut(dataset);
  const config = validateConfig({ epochs, evalEvery: epochs, patience: 0, seed, threads });
  const numItems = dataset.itemIds.length;
  const set = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    protocol: parseProtocol('sampled:100'),
    seed,
    loo,
  });

  // The exported data both implementations read.
  const dir = await mkdtemp(join(tmpdir(), 'ts-bench-sasrec-'));
  await writeFile(join(dir, 'train.txt'), loo.train.map((s) => Array.from(s).join(' ')).join('\n'));
  await writeFile(
    join(dir, 'test.txt'),
    set.cases
      .map((c, i) => {
        const { items, targetIndex } = set.candidates[i];
        const others = Array.from(items).filter((_, j) => j !== targetIndex);
        return `${Array.from(c.history).join(' ')}\t${[items[targetIndex], ...others].join(' ')}`;
      })
      .join('\n'),
  );
  await writeFile(
    join(dir, 'meta.json'),
    JSON.stringify({ numItems, manifestHash: manifest.hash }),
  );

  const model = buildSasrec(config, numItems);
  const trainer = await Trainer.create({
    graph: model.graph,
    loss: model.loss,
    optimizer: adam({ beta2: config.beta2 }),
    seed,
    threads,
  });
  const pytorch = startPytorch([
    '--data',
    dir,
    '--threads',
    String(threads),
    '--seed',
    String(seed),
    '--max-len',
    String(config.maxLen),
    '--hidden',
    String(config.hidden),
    '--blocks',
    String(config.blocks),
    '--heads',
    String(config.heads),
    '--dropout',
    String(config.dropout),
    '--lr',
    String(config.lr),
    '--batch',
    String(config.batch),
    '--beta2',
    String(config.beta2),
  ]);
  const ours: { epoch: number; seconds: number; loss: number }[] = [];
  const theirs: { epoch: number; seconds: number; loss: number; steps: number }[] = [];
  try {
    const oursEpoch = async (epoch: number) => {
      const t0 = performance.now();
      const loss = await trainer.fit({
        batches: epochBatches({
          sequences: loo.train,
          numItems,
          maxLen: config.maxLen,
          batch: config.batch,
          loss: config.loss,
          negatives: config.negatives,
          seed,
          epoch,
        }),
        lr: () => config.lr,
      });
      ours.push({ epoch, seconds: (performance.now() - t0) / 1000, loss });
    };
    const theirsEpoch = async () => {
      theirs.push(await pytorch.send('train'));
    };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (epoch % 2) {
        await oursEpoch(epoch);
        await theirsEpoch();
      } else {
        await theirsEpoch();
        await oursEpoch(epoch);
      }
      const o = ours[ours.length - 1];
      const t = theirs[theirs.length - 1];
      process.stderr.write(
        `epoch ${epoch}/${epochs}: ours ${o.seconds.toFixed(1)} s (loss ${o.loss.toFixed(4)}), pytorch ${t.seconds.toFixed(1)} s (loss ${t.loss.toFixed(4)})\n`,
      );
    }
    const oursRun = await evaluateSasrec(trainer, model, config, set, { silent: true });
    const theirsEval = await pytorch.send<{ ranks: number[]; seconds: number }>('eval');
    if (theirsEval.ranks.length !== set.cases.length)
      throw new Error(
        `pytorch returned ${theirsEval.ranks.length} ranks for ${set.cases.length} cases`,
      );
    const theirsReport = reportFromRanks(theirsEval.ranks, { seed });
    const oursPerEpoch = median(ours.map((e) => e.seconds));
    const theirsPerEpoch = median(theirs.map((e) => e.seconds));
    const result = {
      benchmark: 'sasrec-side-by-side',
      command: `npm run bench -- sasrec ${process.argv.slice(2).join(' ')}`.trim(),
      dataset: { name: manifest.name, manifestHash: manifest.hash, counts: manifest.report.final },
      seed,
      threads,
      config,
      protocol: 'test, 1 + 100 sampled negatives (the same candidate sets for both)',
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      ours: {
        implementation: 'thoughtspace engine (onnxruntime-node, cpu)',
        epochs: ours,
        secondsPerEpochMedian: oursPerEpoch,
        test: accuracy(oursRun.report),
      },
      pytorch: {
        implementation: `bench/pytorch/sasrec.py (PyTorch ${torch}, cpu)`,
        epochs: theirs,
        secondsPerEpochMedian: theirsPerEpoch,
        test: accuracy(theirsReport),
      },
      speedup: theirsPerEpoch / oursPerEpoch,
      createdAt: new Date().toISOString(),
    };
    const f = (x: { mean: number; low: number; high: number }) =>
      `${x.mean.toFixed(4)} [${x.low.toFixed(4)}, ${x.high.toFixed(4)}]`;
    console.log(
      `\nSASRec on ${manifest.name} (manifest ${manifest.hash.slice(0, 12)}), paper settings, ${epochs} epochs each, ${threads} threads, seed ${seed}`,
    );
    console.log(
      `ours:    ${oursPerEpoch.toFixed(2)} s/epoch (median), test NDCG@10 ${f(result.ours.test.NDCG10)}, HR@10 ${f(result.ours.test.HR10)}`,
    );
    console.log(
      `pytorch: ${theirsPerEpoch.toFixed(2)} s/epoch (median), test NDCG@10 ${f(result.pytorch.test.NDCG10)}, HR@10 ${f(result.pytorch.test.HR10)}`,
    );
    console.log(
      `PyTorch / ours seconds per epoch, measured in this run: ${result.speedup.toFixed(2)}x`,
    );
    const out = resolve(__dirname, '..', 'results');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'sasrec.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${join(out, 'sasrec.json')}`);
  } finally {
    pytorch.quit();
    await trainer.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
