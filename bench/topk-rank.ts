/**
 * Where the engine's SASRec full-ranking time goes: createTopK.rank on
 * games-sasrec-2014 (24,303 test users x 10,672 items, dim 50, the user
 * states and item table of SASRec at its seeded initialisation, as
 * bench/topk.ts) against the way it used to rank, one change at a time, all
 * in one process and alternated `--reps` times (the machine is shared):
 *   - "fetch scores + JS count": the previous rank. The graph is the MatMul
 *     alone; each batch's [batch, items] scores are fetched into a
 *     pre-allocated buffer and JavaScript counts the scores above the
 *     target's band with a branch per score and rescores the band exactly.
 *     Run at its old batch (32 MiB of scores, 786 queries) with onnxruntime's
 *     default spinning threads, then at 4 MiB batches, then also without
 *     spinning;
 *   - "count in graph": createTopK.rank as it is (the graph counts and
 *     returns the band's rows; docs/engine.md), at its default and with the
 *     old batch size or spinning threads put back.
 * Every variant must give the same ranks as the first; the bench fails if not.
 * Then similar users (createTopK.search, cosine, 5 neighbours, self
 * excluded, as bench/topk.ts) at the old 256-query batches and at the
 * default 4 MiB of scores, identical neighbours asserted.
 *
 *   npm run bench -- topk-rank [--reps 3] [--seed 1] [--threads 2]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFullRankingSet } from '@thoughtspace/baselines';
import { trainerUserEmbeddings, validateConfig } from '@thoughtspace/candidate-gen';
import { leaveOneOut, prepareDataset, sequencesBefore } from '@thoughtspace/data';
import { createTopK, emitModel, Graph, matmul, ModelRunner } from '@thoughtspace/engine';
import { positiveInt } from './lib/args';
import { untrainedSasrec } from './lib/untrained-sasrec';

interface RankInput {
  queries: Float32Array;
  table: Float32Array;
  d: number;
  targets: Int32Array;
  touched: Int32Array[];
}

/**
 * The previous createTopK.rank for the dot metric: fetch each batch's scores,
 * count in JavaScript (the same float32 rounding bound, the same band rule).
 */
async function fetchAndCount(
  input: RankInput,
  batch: number,
  threads: number,
  spinning: boolean,
): Promise<Int32Array> {
  const { queries, table, d, targets, touched } = input;
  const rows = table.length / d;
  const n = queries.length / d;
  let maxNorm = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += table[r * d + j] ** 2;
    maxNorm = Math.max(maxNorm, Math.sqrt(s));
  }
  const transposed = new Float32Array(d * rows);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < d; j++) transposed[j * rows + r] = table[r * d + j];
  const g = new Graph();
  const scores = matmul(g.input('queries', ['batch', d]), g.constant(transposed, [d, rows]));
  const runner = await ModelRunner.create({
    model: emitModel({ outputs: { scores }, mode: 'infer', graphName: 'topk' }).bytes,
    threads,
    spinning,
  });
  const exact = (qi: number, i: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += queries[qi * d + j] * table[i * d + j];
    return s;
  };
  const ranks = new Int32Array(n);
  const buffer = new Float32Array(Math.min(batch, n) * rows);
  const excluded = new Uint8Array(rows);
  try {
    for (let start = 0; start < n; start += batch) {
      const m = Math.min(batch, n - start);
      const data = buffer.subarray(0, m * rows);
      await runner.run(
        {
          queries: {
            dtype: 'float32',
            dims: [m, d],
            data: queries.subarray(start * d, (start + m) * d),
          },
        },
        { into: { scores: { dtype: 'float32', dims: [m, rows], data } } },
      );
      for (let b = 0; b < m; b++) {
        const qi = start + b;
        let qNorm = 0;
        for (let j = 0; j < d; j++) qNorm += queries[qi * d + j] ** 2;
        const bound = (d + 4) * 2 ** -23 * Math.sqrt(qNorm) * maxNorm;
        const t = exact(qi, targets[qi]);
        const slack = bound * (1 + 2 ** -40) + Math.abs(t) * 2 ** -50;
        const hi = t + slack;
        const lo = t - slack;
        const unique = [...new Set(touched[qi])];
        for (const i of unique) excluded[i] = 1;
        let count = 0;
        const band: number[] = [];
        const o = b * rows;
        for (let i = 0; i < rows; i++) {
          const a = data[o + i];
          if (a > hi) count++;
          else if (a >= lo) band.push(i);
        }
        if (data[o + targets[qi]] > hi) count--;
        for (const i of unique) if (i !== targets[qi] && data[o + i] > hi) count--;
        for (const i of band) if (i !== targets[qi] && !excluded[i] && exact(qi, i) >= t) count++;
        for (const i of unique) excluded[i] = 0;
        ranks[qi] = count + 1;
      }
    }
  } finally {
    await runner.dispose();
  }
  return ranks;
}

async function engineRank(
  input: RankInput,
  threads: number,
  batchSize: number | undefined,
  spinning: boolean | undefined,
): Promise<Int32Array> {
  const topk = await createTopK({ table: input.table, dim: input.d, threads, batchSize, spinning });
  try {
    return await topk.rank({
      queries: input.queries,
      targets: input.targets,
      exclude: input.touched,
      silent: true,
    });
  } finally {
    await topk.dispose();
  }
}

async function similarUsers(
  queries: Float32Array,
  pool: Float32Array,
  d: number,
  self: number[],
  threads: number,
  batchSize: number | undefined,
): Promise<Int32Array> {
  const topk = await createTopK({ table: pool, dim: d, metric: 'cosine', threads, batchSize });
  try {
    return (await topk.search({ queries, k: 5, exclude: (i) => [self[i]], silent: true })).indices;
  } finally {
    await topk.dispose();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((x) => Number(x.toFixed(2)));
  const reps = positiveInt('reps', '3');
  const seed = positiveInt('seed', '1');
  const threads = positiveInt('threads', '2');
  const { dataset, manifest } = await prepareDataset({ dataset: 'games-sasrec-2014' });
  const loo = leaveOneOut(dataset);
  const config = validateConfig({ epochs: 1, evalEvery: 1, patience: 0, seed, threads });
  const sasrec = await untrainedSasrec(config, dataset.itemIds.length);
  const d = config.hidden;
  const cases = loo.test;
  const set = buildFullRankingSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'test',
    seed,
    loo,
  });
  const items = sasrec.trainer.parameters.get('item_embedding') as Float32Array;
  const input: RankInput = {
    queries: await trainerUserEmbeddings(
      sasrec,
      cases.map((c) => c.history),
    ),
    table: items.slice(d),
    d,
    targets: Int32Array.from(cases, (c) => c.target),
    touched: set.touched,
  };
  const pool = await trainerUserEmbeddings(sasrec, sequencesBefore(loo, 'test'));
  const self = cases.map((c) => c.user);
  await sasrec.trainer.dispose();
  const oldBatch = Math.max(16, Math.floor((8 << 20) / (input.table.length / d)));
  const variants: { name: string; run: () => Promise<Int32Array> }[] = [
    {
      name: `fetch scores + JS count, ${oldBatch}-query batches (32 MiB), spinning threads (before)`,
      run: () => fetchAndCount(input, oldBatch, threads, true),
    },
    {
      name: 'fetch scores + JS count, 4 MiB batches, spinning threads',
      run: () =>
        fetchAndCount(input, Math.floor((1 << 20) / (input.table.length / d)), threads, true),
    },
    {
      name: 'fetch scores + JS count, 4 MiB batches, no spinning',
      run: () =>
        fetchAndCount(input, Math.floor((1 << 20) / (input.table.length / d)), threads, false),
    },
    {
      name: `count in graph, ${oldBatch}-query batches, no spinning`,
      run: () => engineRank(input, threads, oldBatch, undefined),
    },
    {
      name: 'count in graph, 4 MiB batches, spinning threads',
      run: () => engineRank(input, threads, undefined, true),
    },
    {
      name: 'count in graph, 4 MiB batches, no spinning (createTopK.rank now)',
      run: () => engineRank(input, threads, undefined, undefined),
    },
  ];
  const searchVariants = [
    {
      name: 'similar users, 256-query batches (before)',
      run: () => similarUsers(input.queries, pool, d, self, threads, 256),
    },
    {
      name: 'similar users, 4 MiB batches (createTopK.search now)',
      run: () => similarUsers(input.queries, pool, d, self, threads, undefined),
    },
  ];
  const alternate = async (list: typeof variants, what: string) => {
    const seconds: number[][] = list.map(() => []);
    let reference: Int32Array | undefined;
    for (let rep = 0; rep < reps; rep++) {
      for (const [v, variant] of list.entries()) {
        global.gc?.();
        const t0 = performance.now();
        const got = await variant.run();
        const s = (performance.now() - t0) / 1000;
        seconds[v].push(s);
        process.stderr.write(`rep ${rep + 1}/${reps} ${variant.name}: ${s.toFixed(2)} s\n`);
        reference ??= got;
        if (got.length !== reference.length || got.some((r, i) => r !== reference?.[i]))
          throw new Error(`${variant.name}: ${what} differ from ${list[0].name}`);
      }
    }
    return { seconds, reference };
  };
  const rank = await alternate(variants, 'ranks');
  const search = await alternate(searchVariants, 'neighbours');
  const summary = (list: typeof variants, seconds: number[][]) =>
    list.map((v, i) => ({
      name: v.name,
      seconds: seconds[i],
      minSeconds: Math.min(...seconds[i]),
      medianSeconds: median(seconds[i]),
    }));
  const reference = rank.reference;
  const result = {
    benchmark: 'topk-rank',
    command: `npm run bench -- topk-rank ${process.argv.slice(2).join(' ')}`.trim(),
    dataset: { name: manifest.name, manifestHash: manifest.hash, counts: manifest.report.final },
    seed,
    threads,
    reps,
    provider: 'onnxruntime-node cpu',
    sasrec: { config, epochsTrained: 0 },
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    loadAverage: { start: loadAtStart, end: loadavg().map((x) => Number(x.toFixed(2))) },
    sizes: { queries: cases.length, items: input.table.length / d, users: pool.length / d, dim: d },
    meanRank: reference ? reference.reduce((a, r) => a + r, 0) / reference.length : null,
    identical: true,
    variants: summary(variants, rank.seconds),
    similarUsers: { k: 5, identical: true, variants: summary(searchVariants, search.seconds) },
    createdAt: new Date().toISOString(),
  };
  console.log(
    `\nrank of ${cases.length} targets among ${input.table.length / d} items (games-sasrec-2014, manifest ${manifest.hash.slice(0, 12)}), ${threads} threads, ${reps} reps, identical ranks`,
  );
  for (const v of [...result.variants, ...result.similarUsers.variants])
    console.log(
      `${v.medianSeconds.toFixed(2)} s median, ${v.minSeconds.toFixed(2)} s min  ${v.name}`,
    );
  const dir = resolve(__dirname, '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'topk-rank.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${join(dir, 'topk-rank.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
