import { InvalidArgumentError } from '@thoughtspace/runtime';
import { pca } from './pca';

/**
 * ReaEmb -> SASRec adapter: item embeddings [numItems, d] reduced by PCA to
 * the recommender's hidden size, rescaled to the standard deviation of the
 * recommender's own initialiser (Xavier over [numItems + 1, hidden]) so
 * training dynamics start where they would from random init, laid out with
 * the padding row 0. Returns the `item_embedding` parameter's values.
 */
export function itemEmbeddingInit(options: {
  embeddings: Float32Array;
  numItems: number;
  dim: number;
  hidden: number;
  seed?: number;
}): Float32Array {
  const { embeddings, numItems, dim, hidden } = options;
  if (embeddings.length !== numItems * dim)
    throw new InvalidArgumentError(
      `itemEmbeddingInit: embeddings has ${embeddings.length} values, expected ${numItems}x${dim}`,
    );
  if (hidden > dim)
    throw new InvalidArgumentError(
      `itemEmbeddingInit: hidden (${hidden}) exceeds the embedding size (${dim})`,
    );
  const reduced = pca(embeddings, numItems, dim, hidden, options.seed ?? 1);
  let sq = 0;
  for (const v of reduced) sq += v * v;
  const sd = Math.sqrt(sq / reduced.length) || 1;
  const target = Math.sqrt(2 / (numItems + 1 + hidden));
  const out = new Float32Array((numItems + 1) * hidden);
  for (let i = 0; i < reduced.length; i++) out[hidden + i] = (reduced[i] / sd) * target;
  return out;
}
