import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareRanks, type PairedComparison } from '@thoughtspace/metrics';

/** What the agent asks of the evaluator. */
export interface EvaluatorPort {
  /** Paired comparison of challenger minus champion on the same users. */
  compare(o: {
    champion: string;
    challenger: string;
    seed: number;
  }): Promise<Record<string, PairedComparison>>;
  /** A version's live metric from the streaming evaluator; undefined while it has no data. */
  liveMetric(o: { version: string; metric: string }): Promise<number | undefined>;
}

/** Per-user ranks of the true item, as the evaluation stage writes them (`<version>/evaluation/ranks.json`). */
export interface RanksFile {
  users: string[];
  ranks: number[];
}

async function readRanks(dir: string, version: string): Promise<RanksFile> {
  const file = join(dir, version, 'evaluation', 'ranks.json');
  let parsed: RanksFile;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as RanksFile;
  } catch (err) {
    throw new Error(
      `cannot read the evaluation of version ${version} (${file}): ${(err as Error).message}`,
    );
  }
  if (
    !Array.isArray(parsed.users) ||
    !Array.isArray(parsed.ranks) ||
    parsed.users.length !== parsed.ranks.length
  )
    throw new Error(`${file}: "users" and "ranks" must be arrays of the same length`);
  return parsed;
}

/**
 * The evaluator's paired test (packages/metrics `compareRanks`, the code the
 * evaluator service and `thoughtspace eval` run) over the two versions'
 * per-user ranks from the artifact store, aligned by user; users missing from
 * either side are an error, not silently dropped.
 */
export function artifactEvaluator(o: {
  artifactsDir: string;
  resamples?: number;
  live?: (version: string, metric: string) => Promise<number | undefined>;
}): EvaluatorPort {
  return {
    async compare({ champion, challenger, seed }) {
      const a = await readRanks(o.artifactsDir, champion);
      const b = await readRanks(o.artifactsDir, challenger);
      const index = new Map(a.users.map((u, i) => [u, i]));
      if (b.users.length !== a.users.length || b.users.some((u) => !index.has(u)))
        throw new Error(
          `versions ${champion} and ${challenger} were not evaluated on the same users`,
        );
      const champ = Int32Array.from(b.users, (u) => a.ranks[index.get(u) as number]);
      const chall = Int32Array.from(b.ranks);
      const resamples = o.resamples ?? 2000;
      return compareRanks(chall, champ, { seed, resamples, permutations: resamples });
    },
    liveMetric: async ({ version, metric }) => (o.live ? o.live(version, metric) : undefined),
  };
}
