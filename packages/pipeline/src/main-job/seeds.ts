import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJson } from '../internal/output';

/** The metrics the paired comparisons report (the family Holm corrects over). */
export const COMPARED_METRICS = ['HR@1', 'NDCG@10', 'MRR'] as const;

/**
 * Holm's step-down adjustment: controls the family-wise error rate of the
 * given p-values (returned in the input order).
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

interface SeedComparison {
  method: string;
  versus: string;
  tests: Record<string, { difference: { mean: number }; pValue: number; pHolm?: number }>;
}

/** The part of a main-job results.json the seed table reads. */
export interface SeedResults {
  dataset: { name: string; manifestHash: string };
  protocol: string;
  seed: number;
  provider: string;
  command: string;
  wallSeconds?: number;
  peakRssMiB?: number;
  methods: {
    method: string;
    provider: string;
    cases: number;
    metrics: Record<string, { mean: number }>;
  }[];
  comparisons: SeedComparison[];
}

/**
 * Adds Holm-adjusted p-values to one run's comparisons, the family being
 * every comparison x COMPARED_METRICS of that run.
 */
export function withHolm<T extends SeedComparison>(comparisons: T[]): T[] {
  const flat = comparisons.flatMap((c) => COMPARED_METRICS.map((m) => c.tests[m].pValue));
  const adjusted = holm(flat);
  let k = 0;
  return comparisons.map((c) => ({
    ...c,
    tests: Object.fromEntries(
      Object.entries(c.tests).map(([m, t]) => [
        m,
        (COMPARED_METRICS as readonly string[]).includes(m) ? { ...t, pHolm: adjusted[k++] } : t,
      ]),
    ),
  }));
}

const meanSd = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd =
    xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, perSeed: xs };
};

/**
 * The main table over seeds: per method and metric, mean ± sd (sample sd
 * over seeds) of the test figure; per paired comparison and metric, mean ±
 * sd of the delta, the per-seed Holm-adjusted p-values and the largest of
 * them (the comparison holds at every seed when it is small).
 */
export function aggregateSeeds(runs: SeedResults[], command: string) {
  if (runs.length === 0) throw new Error('aggregateSeeds: no runs');
  const hashes = new Set(runs.map((r) => r.dataset.manifestHash));
  if (hashes.size !== 1)
    throw new Error(`aggregateSeeds: runs on different datasets (${[...hashes].join(', ')})`);
  const seeds = runs.map((r) => r.seed);
  const methodNames = runs[0].methods.map((m) => m.method);
  const metricNames = Object.keys(runs[0].methods[0]?.metrics ?? {});
  const methods = methodNames.map((name) => {
    const per = runs.map((r) => {
      const m = r.methods.find((x) => x.method === name);
      if (!m) throw new Error(`aggregateSeeds: seed ${r.seed} has no row "${name}"`);
      return m;
    });
    return {
      method: name,
      provider: per[0].provider,
      cases: per[0].cases,
      metrics: Object.fromEntries(
        metricNames.map((k) => [k, meanSd(per.map((m) => m.metrics[k].mean))]),
      ),
    };
  });
  const holmed = runs.map((r) => withHolm(r.comparisons ?? []));
  const comparisons = (holmed[0] ?? []).map((c, i) => ({
    method: c.method,
    versus: c.versus,
    metrics: Object.fromEntries(
      COMPARED_METRICS.map((k) => {
        const per = holmed.map((h) => h[i].tests[k]);
        const pHolm = per.map((t) => t.pHolm as number);
        return [
          k,
          {
            difference: meanSd(per.map((t) => t.difference.mean)),
            pValue: per.map((t) => t.pValue),
            pHolm,
            pHolmMax: Math.max(...pHolm),
          },
        ];
      }),
    ),
  }));
  return {
    dataset: runs[0].dataset,
    protocol: runs[0].protocol,
    provider: runs[0].provider,
    seeds,
    command,
    perSeedCommands: runs.map((r) => r.command),
    uncertainty: {
      sd: 'sample standard deviation over seeds (sampling, training and selection seed all change)',
      pHolm:
        "Holm-adjusted paired randomization p-values over each seed's family of comparisons x (HR@1, NDCG@10, MRR); pHolmMax is the largest over seeds",
    },
    wallSeconds: runs.reduce((a, r) => a + (r.wallSeconds ?? 0), 0),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB ?? 0)),
    methods,
    comparisons,
  };
}

/** Reads `<out>/seed-<s>/results.json` of every seed and writes `<out>/seeds.json`. */
export async function writeSeedTable(o: {
  out: string;
  seeds: readonly number[];
  command: string;
}): Promise<ReturnType<typeof aggregateSeeds>> {
  const runs = await Promise.all(
    o.seeds.map(
      async (s) =>
        JSON.parse(await readFile(join(o.out, `seed-${s}`, 'results.json'), 'utf8')) as SeedResults,
    ),
  );
  const table = aggregateSeeds(runs, o.command);
  await writeJson(join(o.out, 'seeds.json'), table);
  return table;
}
