/**
 * The users x users and users x items passes on the engine (createTopK)
 * against the JavaScript loops they replace, measured in the same run on
 * games-sasrec-2014 (24,303 users x 10,672 items after 5-core):
 *   - similar users: cosine of SASRec user states, 5 neighbours, self
 *     excluded (the loop of packages/cli/src/pipeline/context.ts);
 *   - SASRec full ranking of the test split from the same user states: the
 *     path evaluateSasrec took before the engine (buildEvaluationSet with
 *     `full` spells out every user's untouched items, then evaluateBatched
 *     scores each list with `dotScores` and ranks it with `rankOfTarget`) vs
 *     createTopK's rank over the item table (what evaluateSasrec and
 *     `eval-sasrec --protocol full` run now). What each timer covers:
 *       engineSeconds   createTopK (table copy, norms, session) + rank, ranks out;
 *       spellOutSeconds buildEvaluationSet(full): the lists the old path needed;
 *       jsSeconds       dotScores + rankOfTarget over those lists, ranks out.
 *     Neither side includes the SASRec forward that makes the user states
 *     (the same work on both). `speedup` is the old path against the engine,
 *     (spellOut + js) / engine; `speedupScoringOnly` leaves the spell-out
 *     out, js / engine;
 *   - popularity full ranking: evaluateScorer on the spelled-out set vs
 *     evaluateFullRanking (one catalogue row per user, no engine needed).
 * Every pair must give identical neighbours / ranks; the bench fails if not.
 * `--users N` evaluates the first N test users only (the tables keep their
 * full size, so per-query work is the real one).
 * User states come from SASRec at the paper's settings trained `--epochs`
 * epochs (default 0: the seeded initialisation; timing does not depend on
 * the values, exactness is checked on whatever they are).
 *
 *   npm run bench -- topk [--epochs 0] [--users N] [--seed 1] [--threads 2] [--skip-js-pop]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import {
  buildFullRankingSet,
  evaluateFullRanking,
  evaluateScorer,
  popularityScorer,
} from '@thoughtspace/baselines';
import {
  dotScores,
  trainerUserEmbeddings,
  trainSasrec,
  validateConfig,
} from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
  type EvalCase,
} from '@thoughtspace/data';
import { createTopK } from '@thoughtspace/engine';
import { rankOfTarget } from '@thoughtspace/metrics';
import { arg } from './lib/args';
import { untrainedSasrec } from './lib/untrained-sasrec';

function nonNegative(name: string, fallback: string): number {
  const v = Number(arg(name, fallback));
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name}: expected an integer >= 0`);
  return v;
}

/** The similar-users loop of packages/cli/src/pipeline/context.ts, neighbours only. */
function jsSimilarUsers(
  cases: EvalCase[],
  caseEmb: Float32Array,
  poolEmb: Float32Array,
  d: number,
  k: number,
): Int32Array {
  const nPool = poolEmb.length / d;
  const poolNorm = new Float64Array(nPool);
  for (let u = 0; u < nPool; u++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += poolEmb[u * d + j] ** 2;
    poolNorm[u] = Math.sqrt(s) || 1;
  }
  const out = new Int32Array(cases.length * k).fill(-1);
  cases.forEach((c, i) => {
    let qn = 0;
    for (let j = 0; j < d; j++) qn += caseEmb[i * d + j] ** 2;
    qn = Math.sqrt(qn) || 1;
    const best: { u: number; s: number }[] = [];
    for (let u = 0; u < nPool; u++) {
      if (u === c.user) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += caseEmb[i * d + j] * poolEmb[u * d + j];
      s /= qn * poolNorm[u];
      if (best.length < k || s > best[best.length - 1].s) {
        best.push({ u, s });
        best.sort((a, b) => b.s - a.s || a.u - b.u);
        if (best.length > k) best.pop();
      }
    }
    best.forEach((b, j) => (out[i * k + j] = b.u));
  });
  return out;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => x === b[i]);

async function timed<T>(
  label: string,
  f: () => Promise<T> | T,
): Promise<{ value: T; seconds: number }> {
  process.stderr.write(`${label} ...\n`);
  global.gc?.();
  const t0 = performance.now();
  const value = await f();
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`${label}: ${seconds.toFixed(2)} s\n`);
  return { value, seconds };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((x) => Number(x.toFixed(2)));
  const epochs = nonNegative('epochs', '0');
  const seed = nonNegative('seed', '1');
  const threads = nonNegative('threads', '2') || 2;
  const userCap = nonNegative('users', '0');
  const skipJsPop = process.argv.includes('--skip-js-pop');
  const { dataset, manifest } = await prepareDataset({ dataset: 'games-sasrec-2014' });
  const loo = leaveOneOut(dataset);
  if (userCap > 0) loo.test = loo.test.slice(0, userCap);
  const config = validateConfig({
    epochs: Math.max(1, epochs),
    evalEvery: Math.max(1, epochs),
    patience: 0,
    seed,
    threads,
  });
  const trained =
    epochs > 0
      ? await trainSasrec({
          dataset,
          datasetHash: manifest.hash,
          loo,
          config,
          validProtocol: parseProtocol('sampled:100'),
        })
      : await untrainedSasrec(config, dataset.itemIds.length);
  const d = config.hidden;
  const cases = loo.test;
  const pool = sequencesBefore(loo, 'test');
  const caseEmb = await trainerUserEmbeddings(
    trained,
    cases.map((c) => c.history),
  );
  const poolEmb = await trainerUserEmbeddings(trained, pool);
  const k = 5;

  // Similar users.
  const simEngine = await timed('similar users, engine', async () => {
    const topk = await createTopK({ table: poolEmb, dim: d, metric: 'cosine', threads });
    try {
      const r = await topk.search({
        queries: caseEmb,
        k,
        exclude: (i) => [cases[i].user],
        label: 'similar users (engine)',
      });
      return r.indices;
    } finally {
      await topk.dispose();
    }
  });
  const simJs = await timed('similar users, JS loop', () =>
    jsSimilarUsers(cases, caseEmb, poolEmb, d, k),
  );
  if (!same(simEngine.value, simJs.value)) throw new Error('similar users: engine and JS differ');

  // SASRec full ranking of the same user states against the item table.
  const common = { dataset, datasetHash: manifest.hash, split: 'test' as const, seed, loo };
  const fullSet = buildFullRankingSet(common);
  const items = trained.trainer.parameters.get('item_embedding') as Float32Array;
  const rankEngine = await timed('SASRec full ranking, engine', async () => {
    const topk = await createTopK({ table: items.subarray(d), dim: d, threads });
    try {
      return await topk.rank({
        queries: caseEmb,
        targets: cases.map((c) => c.target),
        exclude: fullSet.touched,
        label: 'SASRec full ranking (engine)',
      });
    } finally {
      await topk.dispose();
    }
  });
  const spelled = await timed('spell out the full protocol (users x items candidate lists)', () =>
    buildEvaluationSet({ ...common, protocol: parseProtocol('full') }),
  );
  const rankJs = await timed('SASRec full ranking, JS dotScores + rankOfTarget', () =>
    Int32Array.from(cases, (_, i) => {
      const { items: candidates, targetIndex } = spelled.value.candidates[i];
      return rankOfTarget(dotScores(caseEmb, i, items, d, candidates), targetIndex);
    }),
  );
  if (!same(rankEngine.value, rankJs.value))
    throw new Error('SASRec full ranking: engine and JS ranks differ');

  // Popularity full ranking.
  const fit = { sequences: pool, numItems: dataset.itemIds.length };
  const popNew = await timed('popularity full ranking, catalogue rows', () =>
    evaluateFullRanking(fullSet, popularityScorer(fit), { resamples: 100 }),
  );
  const popOld = skipJsPop
    ? undefined
    : await timed('popularity full ranking, spelled-out lists', () =>
        evaluateScorer(spelled.value, popularityScorer(fit), { resamples: 100 }),
      );
  if (popOld && !same(popNew.value.ranks, popOld.value.ranks))
    throw new Error('popularity full ranking: ranks differ');
  await trained.trainer.dispose();

  const result = {
    benchmark: 'topk',
    command: `npm run bench -- topk ${process.argv.slice(2).join(' ')}`.trim(),
    dataset: { name: manifest.name, manifestHash: manifest.hash, counts: manifest.report.final },
    seed,
    threads,
    provider: 'onnxruntime-node cpu',
    sasrec: { config, epochsTrained: epochs },
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    // 1, 5 and 15-minute load averages when the bench started and ended (the machine is shared).
    loadAverage: { start: loadAtStart, end: loadavg().map((x) => Number(x.toFixed(2))) },
    sizes: { queries: cases.length, users: pool.length, items: dataset.itemIds.length, dim: d },
    similarUsers: {
      k,
      engineSeconds: simEngine.seconds,
      jsSeconds: simJs.seconds,
      speedup: simJs.seconds / simEngine.seconds,
      identical: true,
    },
    sasrecFullRanking: {
      engineSeconds: rankEngine.seconds,
      jsSeconds: rankJs.seconds,
      spellOutSeconds: spelled.seconds,
      speedup: (rankJs.seconds + spelled.seconds) / rankEngine.seconds,
      speedupScoringOnly: rankJs.seconds / rankEngine.seconds,
      // See the header: the old path = spell-out + JS loop; the engine path = createTopK + rank.
      compared: 'old path (buildEvaluationSet full + dotScores + rankOfTarget) vs createTopK rank',
      identical: true,
      meanRank: rankEngine.value.reduce((x, r) => x + r, 0) / rankEngine.value.length,
    },
    popularityFullRanking: {
      newSeconds: popNew.seconds,
      oldSeconds: popOld?.seconds ?? null,
      oldSecondsIncludingSpellOut: popOld ? popOld.seconds + spelled.seconds : null,
      identical: popOld ? true : null,
    },
    createdAt: new Date().toISOString(),
  };
  console.log(
    `\ntop-k on games-sasrec-2014 (manifest ${manifest.hash.slice(0, 12)}), ${cases.length} queries, ${pool.length} users, ${dataset.itemIds.length} items, ${threads} threads`,
  );
  console.log(
    `similar users (k=${k}): engine ${simEngine.seconds.toFixed(2)} s, JS ${simJs.seconds.toFixed(2)} s, ${result.similarUsers.speedup.toFixed(1)}x, identical neighbours`,
  );
  console.log(
    `SASRec full ranking: engine ${rankEngine.seconds.toFixed(2)} s, JS ${rankJs.seconds.toFixed(2)} s + ${spelled.seconds.toFixed(2)} s to spell out the lists, ${result.sasrecFullRanking.speedup.toFixed(1)}x (${result.sasrecFullRanking.speedupScoringOnly.toFixed(1)}x scoring only), identical ranks`,
  );
  console.log(
    `popularity full ranking: ${popNew.seconds.toFixed(2)} s` +
      (popOld
        ? ` vs ${popOld.seconds.toFixed(2)} s (+ ${spelled.seconds.toFixed(2)} s spell-out), identical ranks`
        : ''),
  );
  const dir = resolve(__dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'topk.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${join(dir, 'topk.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
