/**
 * The served scorer's cost per request under each agreement definition
 * (docs/decisions/0019): the scorers of several run folders loaded in this
 * process exactly as the scorer service loads them, the same requests
 * (test-split histories, `--candidates` catalogue items, the embedded
 * provider's base reason) scored by each in turn, so machine load hits
 * all of them alike. Also times each scorer's start-up (the candidate
 * definition encodes the catalogue there) and, for the first run's encoder,
 * where a history+candidate request's time goes: rendering the 50 texts and
 * their one batched E2 run (tokenising included).
 *
 *   npm run bench -- scorer --runs /tmp/a,/tmp/b [--requests 200] [--candidates 50]
 *                           [--threads 1] [--out bench/results/scorer.json]
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { leaveOneOut, prepareDataset, sequencesBefore } from '@thoughtspace/data';
import { readServingBundle } from '@thoughtspace/pipeline';
import { createProvider } from '@thoughtspace/rationale-gen';
import { ThoughtSpaceModel } from '@thoughtspace/encoder';
import { createRng } from '@thoughtspace/runtime';
import { agreementText, loadServedScorer, type ServedScorer } from '@thoughtspace/scorer';
import { arg } from './lib/args';
import { quantiles } from './lib/stats';

const REPO = resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const runs = arg('runs').split(',');
  const requests = Number(arg('requests', '200'));
  const candidates = Number(arg('candidates', '50'));
  const threads = Number(arg('threads', '1'));
  const out = arg('out', join(REPO, 'bench', 'results', 'scorer.json'));
  const bundles = await Promise.all(runs.map((r) => readServingBundle(r)));
  const name = bundles[0].manifest.dataset.name;
  if (
    bundles.some(
      (b) => b.manifest.dataset.manifestHash !== bundles[0].manifest.dataset.manifestHash,
    )
  )
    throw new Error('--runs: the bundles must share one dataset (the requests are the same)');
  const { dataset, manifest } = await prepareDataset({ dataset: name });
  const scorers: { run: string; features: string[]; startupMs: number; served: ServedScorer }[] =
    [];
  for (const b of bundles) {
    const started = performance.now();
    const served = await loadServedScorer({
      modelDir: b.modelDirs.scorer,
      sasrecDir: b.modelDirs['candidate-gen'],
      encoderDir: b.modelDirs.encoder,
      dataset,
      manifestHash: manifest.hash,
      threads,
    });
    const features = (
      JSON.parse(readFileSync(join(b.modelDirs.scorer, 'model.json'), 'utf8')) as {
        features: string[];
      }
    ).features;
    scorers.push({ run: b.dir, features, startupMs: performance.now() - started, served });
    process.stderr.write(
      `loaded ${b.dir} (${features.at(-1)}) in ${(performance.now() - started).toFixed(0)} ms\n`,
    );
  }
  const provider = await createProvider({ kind: 'embedded' });
  const histories = sequencesBefore(leaveOneOut(dataset), 'test').filter((h) => h.length > 0);
  const rng = createRng('bench-scorer');
  const reqs = [];
  for (let i = 0; i < requests; i++) {
    const h = histories[(i * 7919) % histories.length];
    const history = Array.from(h, (k) => ({ item: dataset.items[k] }));
    const base = await provider.generate({ kind: 'base', history, similarItems: [] });
    const picked = new Set<number>();
    while (picked.size < Math.min(candidates, dataset.itemIds.length))
      picked.add(rng.int(dataset.itemIds.length));
    reqs.push({
      history: Array.from(h, (k) => ({ itemId: dataset.itemIds[k] })),
      candidates: [...picked].map((k) => dataset.itemIds[k]),
      reason: base.reason,
    });
  }
  await provider.dispose();
  const latencies = scorers.map(() => [] as number[]);
  for (let i = 0; i < 10; i++) for (const s of scorers) await s.served.domain.score(reqs[i]);
  for (let i = 0; i < reqs.length; i++) {
    for (let j = 0; j < scorers.length; j++) {
      const started = performance.now();
      await scorers[j].served.domain.score(reqs[i]);
      latencies[j].push(performance.now() - started);
    }
    if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1}/${reqs.length} requests\n`);
  }
  // Where the history+candidate feature's time goes, with the first run's encoder.
  const encoder = await ThoughtSpaceModel.load(bundles[0].modelDirs.encoder, { threads });
  const index = new Map(dataset.itemIds.map((id, i) => [id, i]));
  const render: number[] = [];
  const e2: number[] = [];
  const e1: number[] = [];
  for (const r of reqs) {
    let t = performance.now();
    const history = r.history.map((e) => ({ item: dataset.items[index.get(e.itemId)!] }));
    const texts = r.candidates.map((c) =>
      agreementText({
        agreement: 'history-candidate',
        history,
        candidate: dataset.items[index.get(c)!],
        maxItems: 20,
      }),
    );
    render.push(performance.now() - t);
    t = performance.now();
    await encoder.encodeBehaviours(texts);
    e2.push(performance.now() - t);
    t = performance.now();
    await encoder.encodeRationales([r.reason]);
    e1.push(performance.now() - t);
  }
  await encoder.dispose();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  const result = {
    benchmark: 'scorer',
    command: `npm run bench -- scorer ${process.argv.slice(2).join(' ')}`.trim(),
    createdAt: new Date().toISOString(),
    dataset: { name, manifestHash: manifest.hash },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      node: process.version,
      loadAverage: load,
    },
    request: {
      candidates,
      histories: 'test split, every 7919th user',
      reason: 'embedded provider base reason',
      threads,
    },
    note: 'one request at a time, each scored by every scorer in turn (same requests, same moment)',
    historyCandidateBreakdown: {
      run: bundles[0].dir,
      renderTexts: quantiles(render),
      e2OneBatchedRun: quantiles(e2),
      e1Reason: quantiles(e1),
    },
    scorers: scorers.map((s, j) => ({
      run: s.run,
      features: s.features,
      startupMs: s.startupMs,
      perRequest: quantiles(latencies[j]),
    })),
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const s of result.scorers)
    console.log(
      `${s.features.at(-1)}: p50 ${s.perRequest.p50Ms.toFixed(1)} ms, p99 ${s.perRequest.p99Ms.toFixed(1)} ms per request (start-up ${s.startupMs.toFixed(0)} ms) — ${s.run}`,
    );
  const b = result.historyCandidateBreakdown;
  console.log(
    `history+candidate request, p50: render ${b.renderTexts.p50Ms.toFixed(1)} ms, E2 over ${candidates} texts ${b.e2OneBatchedRun.p50Ms.toFixed(1)} ms, E1 ${b.e1Reason.p50Ms.toFixed(1)} ms`,
  );
  process.stderr.write(`wrote ${out}\n`);
  for (const s of scorers) await s.served.dispose();
}

main().catch((err: unknown) => {
  process.stderr.write(
    `scorer benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
