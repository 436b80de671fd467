import { readFile } from 'node:fs/promises';
import { unzip } from '@thoughtspace/data';
import type { Initializer } from '@thoughtspace/engine';
import { DataLossError, NotFoundError } from '@thoughtspace/runtime';

/** Pretrained word vectors in GloVe text format: `word v1 ... vD` per line. */
export interface WordVectors {
  dim: number;
  vectors: Map<string, Float32Array>;
}

/**
 * Read GloVe-format vectors from a .txt file or a .zip holding one (e.g.
 * ../shared/models/glove-6B-50d-10k/glove.6B.50d.10k.zip). Only words in
 * `keep` are kept when it is given.
 */
export async function readWordVectors(
  path: string,
  keep?: ReadonlySet<string>,
): Promise<WordVectors> {
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
  const vectors = new Map<string, Float32Array>();
  let dim = 0;
  const lines = raw.toString('utf8').split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trimEnd();
    if (!line) continue;
    const parts = line.split(' ');
    if (dim === 0) dim = parts.length - 1;
    if (parts.length - 1 !== dim) {
      throw new DataLossError(
        `word vectors: ${path} line ${n + 1} has ${parts.length - 1} values, expected ${dim}`,
      );
    }
    if (keep && !keep.has(parts[0])) continue;
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = Number(parts[i + 1]);
    vectors.set(parts[0], v);
  }
  if (dim === 0) throw new DataLossError(`word vectors: ${path} is empty`);
  return { dim, vectors };
}

/**
 * Token-table initialiser: row i is the pretrained vector of vocab[i] when
 * there is one, otherwise a normal draw with the pretrained vectors' standard
 * deviation (so both kinds of row start on the same scale). Returns how many
 * rows were covered.
 */
export function wordVectorInit(
  vocab: readonly string[],
  wv: WordVectors,
): { init: Initializer; covered: number } {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (const v of wv.vectors.values()) {
    for (const x of v) {
      sum += x;
      sumSq += x * x;
      n++;
    }
  }
  const mean = n ? sum / n : 0;
  const std = n ? Math.sqrt(Math.max(sumSq / n - mean * mean, 1e-8)) : 0.1;
  const covered = vocab.filter((w) => wv.vectors.has(w)).length;
  return {
    covered,
    init: {
      kind: `wordVectors(${wv.dim})`,
      fill: (out, shape, rng) => {
        const d = shape[1];
        for (let row = 0; row < shape[0]; row++) {
          const v = wv.vectors.get(vocab[row]);
          for (let j = 0; j < d; j++) out[row * d + j] = v ? v[j] : std * rng.normal();
        }
      },
    },
  };
}
