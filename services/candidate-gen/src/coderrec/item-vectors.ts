import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { unzip, type Item } from '@thoughtspace/data';
import { DataLossError, InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import { STOPWORDS, tokenize } from '@thoughtspace/text';

/** Item vectors [numItems, dim] in the text space CoderRec aligns to. */
export interface ItemVectors {
  dim: number;
  data: Float32Array;
  /** Where they came from, for results files. */
  source: string;
  /** Items with no known word (they get the mean vector). */
  uncovered: number;
}

/** GloVe-format word vectors ("word v1 ... vd" lines), from a .txt or a .zip holding one. */
export async function readGlove(path: string): Promise<Map<string, Float32Array>> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new NotFoundError(`word vectors: cannot read ${path}`, { cause: err });
  }
  if (path.endsWith('.zip')) {
    const entry = unzip(raw).find((e) => e.name.endsWith('.txt'));
    if (!entry) throw new DataLossError(`word vectors: ${path} holds no .txt file`);
    raw = entry.data;
  }
  const out = new Map<string, Float32Array>();
  let dim = 0;
  for (const line of raw.toString('utf8').split('\n')) {
    const parts = line.trimEnd().split(' ');
    if (parts.length < 2) continue;
    if (dim === 0) dim = parts.length - 1;
    if (parts.length - 1 !== dim)
      throw new DataLossError(`word vectors: ${path}: ragged line for "${parts[0]}"`);
    out.set(parts[0], Float32Array.from(parts.slice(1), Number));
  }
  if (dim === 0) throw new DataLossError(`word vectors: ${path} is empty`);
  return out;
}

/**
 * Averaged word vectors of each item's title, brand, categories and
 * description (stopwords skipped), L2-normalised. Items without a known word
 * get the normalised mean of the others. Finally the catalogue mean is
 * removed and rows re-normalised: averaged word vectors share a large common
 * direction that would otherwise collapse the first quantisation level.
 */
export function averagedWordVectors(
  items: readonly Item[],
  words: ReadonlyMap<string, Float32Array>,
): ItemVectors {
  const first = words.values().next().value as Float32Array | undefined;
  if (!first) throw new InvalidArgumentError('averagedWordVectors: no word vectors');
  const dim = first.length;
  const data = new Float32Array(items.length * dim);
  const mean = new Float64Array(dim);
  const missing: number[] = [];
  items.forEach((item, i) => {
    const text = [item.title, item.brand, item.categories?.join(' '), item.description]
      .filter(Boolean)
      .join(' ');
    let n = 0;
    const row = data.subarray(i * dim, (i + 1) * dim);
    for (const w of tokenize(text).slice(0, 200)) {
      const v = words.get(w);
      if (!v || STOPWORDS.has(w)) continue;
      for (let j = 0; j < dim; j++) row[j] += v[j];
      n++;
    }
    if (n === 0) missing.push(i);
    else {
      normalize(row);
      for (let j = 0; j < dim; j++) mean[j] += row[j];
    }
  });
  const fill = Float32Array.from(mean);
  normalize(fill);
  for (const i of missing) data.set(fill, i * dim);
  centre(data, dim);
  return { dim, data, source: 'glove-averaged', uncovered: missing.length };
}

/** Any [numItems, dim] embedding (e.g. ReaEmb's) as CoderRec item vectors, centred and L2-normalised. */
export function vectorsFromEmbeddings(
  embeddings: Float32Array,
  dim: number,
  source: string,
): ItemVectors {
  if (embeddings.length % dim !== 0)
    throw new InvalidArgumentError(
      `vectorsFromEmbeddings: ${embeddings.length} values is not a multiple of dim ${dim}`,
    );
  const data = embeddings.slice();
  centre(data, dim);
  return { dim, data, source, uncovered: 0 };
}

function normalize(v: Float32Array): void {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  for (let j = 0; j < v.length; j++) v[j] /= n;
}

function centre(data: Float32Array, dim: number): void {
  const n = data.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < data.length; i++) mean[i % dim] += data[i] / n;
  for (let i = 0; i < data.length; i++) data[i] -= mean[i % dim];
  for (let i = 0; i < data.length; i += dim) normalize(data.subarray(i, i + dim));
}

/** Where the GloVe fixture is looked for: $THOUGHTSPACE_MODELS, then ../shared/models beside the repository or the working directory. */
export function gloveCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const rel = join('glove-6B-50d-10k', 'glove.6B.50d.10k.zip');
  const roots = [
    ...(env.THOUGHTSPACE_MODELS ? [resolve(env.THOUGHTSPACE_MODELS)] : []),
    resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'models'),
    resolve(process.cwd(), '..', 'shared', 'models'),
  ];
  return [...new Set(roots.map((r) => join(r, rel)))];
}
