import { readFile } from 'node:fs/promises';
import { unzip } from '@thoughtspace/data';
import { cosine, NotFoundError } from '@thoughtspace/runtime';
import { tokenize } from '@thoughtspace/text';
import type { AgreementFn } from './select';

/**
 * The "generic semantic space" ablation: a text is the average of its words'
 * pretrained vectors (GloVe), agreement is cosine similarity. Nothing here is
 * trained on the user's behaviour, which is what the Thought Space adds.
 */
export interface GenericSpace {
  dim: number;
  embed(text: string): Float32Array;
  agreement: AgreementFn;
}

/** Load GloVe-style text vectors ("word v1 ... vd" per line) from a .zip or .txt. */
export async function loadGenericSpace(path: string): Promise<GenericSpace> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new NotFoundError(`word vectors not found at ${path}`, { cause: err });
  }
  const text = path.endsWith('.zip')
    ? unzip(bytes)[0].data.toString('utf8')
    : bytes.toString('utf8');
  const vectors = new Map<string, Float32Array>();
  let dim = 0;
  for (const line of text.split('\n')) {
    const parts = line.trimEnd().split(' ');
    if (parts.length < 3) continue;
    dim = parts.length - 1;
    vectors.set(parts[0], Float32Array.from(parts.slice(1), Number));
  }
  const embed = (t: string): Float32Array => {
    const out = new Float32Array(dim);
    let n = 0;
    for (const tok of tokenize(t)) {
      const v = vectors.get(tok);
      if (!v) continue;
      for (let j = 0; j < dim; j++) out[j] += v[j];
      n++;
    }
    if (n > 0) for (let j = 0; j < dim; j++) out[j] /= n;
    return out;
  };
  return {
    dim,
    embed,
    agreement: async (reasons, behaviour) => {
      const b = embed(behaviour);
      return Float64Array.from(reasons, (r) => cosine(embed(r), b));
    },
  };
}
