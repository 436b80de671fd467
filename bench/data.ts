/**
 * Data pipeline benchmark: read, preprocess (de-dup, iterative 5-core) and
 * store games-sasrec-2014 as Arrow IPC, as `thoughtspace data prepare` does.
 * Prints seconds per stage and peak RSS; writes bench/results/data.json.
 * Target (issue 2): under 10 s on the 2-core reference machine.
 *
 *   npm run bench -- data [--repeats 3] [--dataset games-sasrec-2014]
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  detectFormat,
  preprocess,
  prepareDataset,
  readDetected,
  resolvePresetDir,
  findPreset,
  writeDataset,
} from '@thoughtspace/data';
import { arg } from './lib/args';

async function main(): Promise<void> {
  const datasetName = arg('dataset', 'games-sasrec-2014');
  const repeats = Number(arg('repeats', '3'));
  const preset = findPreset(datasetName);
  if (!preset) throw new Error(`unknown preset ${datasetName}`);
  const dir = resolvePresetDir(preset);
  const runs: {
    readSeconds: number;
    preprocessSeconds: number;
    writeSeconds: number;
    totalSeconds: number;
  }[] = [];
  let manifestHash = '';
  let counts = {};
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const raw = await readDetected(await detectFormat(dir));
    const t1 = performance.now();
    preprocess(raw, { ...preset.defaults });
    const t2 = performance.now();
    // The full command path (read + preprocess + manifest) and the Arrow write.
    const prepared = await prepareDataset({ dataset: datasetName });
    const out = await mkdtemp(join(tmpdir(), 'ts-bench-data-'));
    const t3 = performance.now();
    await writeDataset(out, prepared.dataset, prepared.manifest);
    const t4 = performance.now();
    await rm(out, { recursive: true, force: true });
    manifestHash = prepared.manifest.hash;
    counts = prepared.manifest.report.final;
    const run = {
      readSeconds: (t1 - t0) / 1000,
      preprocessSeconds: (t2 - t1) / 1000,
      writeSeconds: (t4 - t3) / 1000,
      totalSeconds: (t1 - t0 + (t2 - t1) + (t4 - t3)) / 1000,
    };
    runs.push(run);
    console.log(
      `run ${r + 1}/${repeats}: read ${run.readSeconds.toFixed(2)} s, preprocess ${run.preprocessSeconds.toFixed(2)} s, ` +
        `write Arrow ${run.writeSeconds.toFixed(2)} s, total ${run.totalSeconds.toFixed(2)} s`,
    );
  }
  const median = [...runs].sort((a, b) => a.totalSeconds - b.totalSeconds)[
    Math.floor(runs.length / 2)
  ];
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const result = {
    benchmark: 'data-prepare',
    dataset: { name: datasetName, manifestHash, counts, options: preset.defaults },
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    repeats,
    runs,
    medianTotalSeconds: median.totalSeconds,
    peakRssMiB,
    targetSeconds: 10,
    command: `npm run bench -- data --dataset ${datasetName} --repeats ${repeats}`,
    createdAt: new Date().toISOString(),
  };
  console.log(
    `\n${datasetName} (manifest ${manifestHash.slice(0, 12)}): median ${median.totalSeconds.toFixed(2)} s (target < 10 s), peak RSS ${peakRssMiB.toFixed(0)} MiB`,
  );
  const outDir = resolve(__dirname, '..', 'results');
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'data.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${join(outDir, 'data.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
