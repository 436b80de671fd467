import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { NotFoundError } from '@thoughtspace/runtime';
import type { PreprocessOptions } from './dataset';

import type { ReaderName } from './readers';

export interface Preset {
  name: string;
  /** Folder under the data root. */
  folder: string;
  description: string;
  /** The reader format detection must find in the folder (a mismatch is an error, not a guess). */
  reader: ReaderName;
  /** Preprocessing defaults for this dataset (flags override them). */
  defaults: Partial<PreprocessOptions>;
}

/**
 * The bundled datasets (../shared/data). The 2018 text datasets were already
 * filtered by their publishers (users and items with >= 4 reviews, one pass),
 * so their default is no further k-core: iterative 5-core on them keeps only
 * ~20% of users. games-sasrec-2014 uses the SASRec paper's 5-core.
 */
export const PRESETS: readonly Preset[] = [
  {
    name: 'luxury-beauty-2018',
    folder: 'luxury-beauty-2018',
    description: 'Amazon 2018 Luxury_Beauty (Thought-Space paper domain), pairs + item text',
    reader: 'pairs-with-items',
    defaults: { kcore: 0 },
  },
  {
    name: 'all-beauty-2018',
    folder: 'all-beauty-2018',
    description: 'Amazon 2018 All_Beauty, pairs + item text',
    reader: 'pairs-with-items',
    defaults: { kcore: 0 },
  },
  {
    name: 'all-beauty-2018-reviews',
    folder: 'all-beauty-2018-reviews',
    description: 'Amazon 2018 All_Beauty 5-core reviews with ratings, text and time',
    reader: 'amazon-2018',
    defaults: { kcore: 5, passes: 'iterative' },
  },
  {
    name: 'games-sasrec-2014',
    folder: 'games-sasrec-2014',
    description: 'Amazon 2014 Video Games as in the SASRec paper (Video.txt)',
    reader: 'pairs',
    defaults: { kcore: 5, passes: 'iterative' },
  },
  {
    name: 'ml-100k',
    folder: 'ml-100k',
    description: 'MovieLens 100K in RecBole atomic format',
    reader: 'recbole',
    defaults: { kcore: 5, passes: 'iterative' },
  },
  {
    name: 'scientific-2018',
    folder: 'scientific-2018',
    description: 'Amazon 2018 Industrial_and_Scientific subset in UniSRec format',
    reader: 'unisrec',
    defaults: { kcore: 0 },
  },
];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** The user cache directory where `thoughtspace data download` puts datasets. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'thoughtspace', 'data');
}

/**
 * Data roots searched in order: $THOUGHTSPACE_DATA, ../shared/data beside the
 * repository (and beside the working directory), then the user cache.
 */
export function dataRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const roots: string[] = [];
  if (env.THOUGHTSPACE_DATA) roots.push(resolve(env.THOUGHTSPACE_DATA));
  const repoRoot = resolve(__dirname, '..', '..', '..');
  roots.push(resolve(repoRoot, '..', 'shared', 'data'));
  roots.push(resolve(process.cwd(), '..', 'shared', 'data'));
  roots.push(cacheDir(env));
  return [...new Set(roots)];
}

/** Resolve a preset's folder, or fail naming every place that was searched. */
export function resolvePresetDir(preset: Preset, env: NodeJS.ProcessEnv = process.env): string {
  const roots = dataRoots(env);
  for (const root of roots) {
    const dir = join(root, preset.folder);
    if (existsSync(dir)) return dir;
  }
  throw new NotFoundError(
    `dataset "${preset.name}" not found; looked for ${preset.folder}/ in: ${roots.join(', ')}. ` +
      'Set THOUGHTSPACE_DATA or run `thoughtspace data download`.',
  );
}
