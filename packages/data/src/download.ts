import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createProgress,
  InvalidArgumentError,
  ThoughtspaceError,
  Status,
} from '@thoughtspace/runtime';
import { cacheDir } from './presets';
import { unzip } from './unzip';

/**
 * Public sources users with internet can fetch. This path cannot be exercised
 * in the offline build environment; the readers are tested on the bundled
 * copies in ../shared/data instead.
 */
export interface DownloadSource {
  name: string;
  description: string;
  files: { url: string; file: string; unzip?: boolean }[];
}

const AMAZON_2018 = 'https://deepyeti.ucsd.edu/jianmo/amazon';
const MOVIELENS = 'https://files.grouplens.org/datasets/movielens';

/** Amazon Review Data (2018) per-category 5-core reviews and metadata. */
export function amazon2018Source(category: string): DownloadSource {
  if (!/^[A-Za-z_]+$/.test(category)) {
    throw new InvalidArgumentError(
      `Amazon 2018 category must look like "Luxury_Beauty", got "${category}"`,
    );
  }
  return {
    name: `amazon-2018-${category.toLowerCase().replace(/_/g, '-')}`,
    description: `Amazon 2018 ${category} 5-core reviews + metadata`,
    files: [
      {
        url: `${AMAZON_2018}/categoryFilesSmall/${category}_5.json.gz`,
        file: `${category}_5.json.gz`,
      },
      {
        url: `${AMAZON_2018}/metaFiles2/meta_${category}.json.gz`,
        file: `meta_${category}.json.gz`,
      },
    ],
  };
}

export const MOVIELENS_SOURCES: readonly DownloadSource[] = [
  {
    name: 'movielens-100k',
    description: 'MovieLens 100K (u.data, u.item)',
    files: [{ url: `${MOVIELENS}/ml-100k.zip`, file: 'ml-100k.zip', unzip: true }],
  },
  {
    name: 'movielens-1m',
    description: 'MovieLens 1M (ratings.dat, movies.dat)',
    files: [{ url: `${MOVIELENS}/ml-1m.zip`, file: 'ml-1m.zip', unzip: true }],
  },
];

/** `amazon-2018:<Category>` or a MovieLens name. */
export function resolveDownload(spec: string): DownloadSource {
  if (spec.startsWith('amazon-2018:')) return amazon2018Source(spec.slice('amazon-2018:'.length));
  const ml = MOVIELENS_SOURCES.find((s) => s.name === spec);
  if (ml) return ml;
  throw new InvalidArgumentError(
    `unknown download "${spec}"; use amazon-2018:<Category> (e.g. amazon-2018:Luxury_Beauty) or one of ${MOVIELENS_SOURCES.map((s) => s.name).join(', ')}`,
  );
}

/** Fetch every file of a source into <dest>/<source name>/, extracting zips; returns the folder. */
export async function download(
  source: DownloadSource,
  options: { dest?: string; silent?: boolean; fetchImpl?: typeof fetch } = {},
): Promise<string> {
  const dir = join(options.dest ?? cacheDir(), source.name);
  await mkdir(dir, { recursive: true });
  const doFetch = options.fetchImpl ?? fetch;
  for (const f of source.files) {
    let res: Response;
    try {
      res = await doFetch(f.url);
    } catch (err) {
      throw new ThoughtspaceError(Status.UNAVAILABLE, `download of ${f.url} failed (no network?)`, {
        retriable: true,
        cause: err,
      });
    }
    if (!res.ok || !res.body) {
      throw new ThoughtspaceError(
        Status.UNAVAILABLE,
        `download of ${f.url} failed: HTTP ${res.status}`,
        {
          retriable: res.status >= 500,
        },
      );
    }
    const total = Number(res.headers.get('content-length')) || undefined;
    const progress = createProgress({
      label: `download ${f.file}`,
      total,
      unit: 'bytes',
      silent: options.silent,
    });
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => progress.tick(chunk.length));
    const target = join(dir, f.file);
    await pipeline(body, createWriteStream(`${target}.part`));
    await rename(`${target}.part`, target);
    progress.done();
    if (f.unzip) {
      for (const entry of unzip(await readFile(target))) {
        if (entry.name.startsWith('/') || entry.name.split('/').includes('..')) {
          throw new InvalidArgumentError(
            `${f.file}: refusing to extract unsafe path "${entry.name}"`,
          );
        }
        const out = join(dir, entry.name);
        await mkdir(join(out, '..'), { recursive: true });
        await writeFile(out, entry.data);
      }
    }
  }
  return dir;
}
