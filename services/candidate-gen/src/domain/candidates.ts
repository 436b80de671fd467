import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';
import type { SasrecModel } from '../serving/sasrec-model';

/** Request size limits; every one is configurable (see config.ts). */
export interface Limits {
  /** Largest k for GenerateCandidates / SimilarUsers. */
  maxK: number;
  /** Longest accepted history (the model reads only its last maxLen items). */
  maxHistory: number;
  /** Most candidates per ScoreCandidates call. */
  maxCandidates: number;
}

export const DEFAULT_LIMITS: Limits = { maxK: 1000, maxHistory: 10000, maxCandidates: 10000 };

export interface ScoredId {
  itemId: string;
  score: number;
}

/**
 * candidate-gen's domain: SASRec behind item/user ids. Takes plain objects,
 * throws typed errors naming the field; knows nothing about gRPC.
 */
export interface CandidateDomain {
  readonly modelName: string;
  readonly datasetHash: string;
  readonly dim: number;
  checkDataset(hash: string): void;
  generate(req: { history: string[]; k: number; exclude?: string[] }): Promise<ScoredId[]>;
  score(req: { history: string[]; candidates: string[] }): Promise<ScoredId[]>;
  similarUsers(req: {
    history: string[];
    k: number;
  }): Promise<{ userId: string; similarity: number }[]>;
  itemEmbeddings(itemIds: string[]): Float32Array[];
  userEmbedding(history: string[]): Promise<Float32Array>;
}

export function createCandidateDomain(options: {
  model: SasrecModel;
  limits?: Partial<Limits>;
}): CandidateDomain {
  const { model } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const index = new Map(model.manifest.itemIds.map((id, i) => [id, i]));
  const d = model.hidden;
  const userNorms = rowNorms(model.userEmbedding, d);

  const toIndices = (ids: string[], field: string, max: number): Int32Array => {
    if (ids.length > max)
      throw new InvalidArgumentError(`${field}: ${ids.length} items exceeds the limit of ${max}`);
    return Int32Array.from(ids, (id, i) => {
      const idx = index.get(id);
      if (idx === undefined)
        throw new InvalidArgumentError(`${field}[${i}]: unknown item id "${truncate(id)}"`);
      return idx;
    });
  };
  const history = (ids: string[]): Int32Array => {
    if (ids.length === 0)
      throw new InvalidArgumentError('history: must contain at least one interaction');
    return toIndices(ids, 'history', limits.maxHistory);
  };
  const checkK = (k: number, field = 'k'): void => {
    if (!Number.isInteger(k) || k < 1 || k > limits.maxK)
      throw new InvalidArgumentError(`${field}: must be between 1 and ${limits.maxK}, got ${k}`);
  };
  const ids = model.manifest.itemIds;

  return {
    modelName: `${model.manifest.variant ?? 'sasrec'}@${model.manifest.dataset.manifestHash.slice(0, 12)}`,
    datasetHash: model.manifest.dataset.manifestHash,
    dim: d,
    checkDataset(hash: string) {
      if (hash && hash !== model.manifest.dataset.manifestHash) {
        throw new FailedPreconditionError(
          `dataset_manifest_hash: the server's model was trained on ${model.manifest.dataset.manifestHash.slice(0, 12)}, not ${truncate(hash)}`,
        );
      }
    },
    async generate(req) {
      checkK(req.k);
      const h = history(req.history);
      const exclude = [
        ...h,
        ...toIndices(req.exclude ?? [], 'exclude_item_ids', limits.maxCandidates),
      ];
      const emb = await model.userEmbeddings([h]);
      return model
        .topK(emb, 0, Math.min(req.k, model.numItems - new Set(exclude).size), exclude)
        .map((s) => ({ itemId: ids[s.item], score: s.score }));
    },
    async score(req) {
      const h = history(req.history);
      if (req.candidates.length === 0)
        throw new InvalidArgumentError('candidate_item_ids: must not be empty');
      const c = toIndices(req.candidates, 'candidate_item_ids', limits.maxCandidates);
      const [scores] = await model.scoreBatch([h], [c]);
      return req.candidates.map((itemId, i) => ({ itemId, score: scores[i] }));
    },
    async similarUsers(req) {
      checkK(req.k);
      const h = history(req.history);
      const q = await model.userEmbeddings([h]);
      const qn = Math.sqrt(q.reduce((a, x) => a + x * x, 0)) || 1;
      const users = model.manifest.userIds;
      const sims = new Float64Array(users.length);
      for (let u = 0; u < users.length; u++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += q[j] * model.userEmbedding[u * d + j];
        sims[u] = s / (qn * (userNorms[u] || 1));
      }
      const order = Array.from(sims.keys()).sort((a, b) => sims[b] - sims[a] || a - b);
      return order.slice(0, req.k).map((u) => ({ userId: users[u], similarity: sims[u] }));
    },
    itemEmbeddings(itemIds) {
      if (itemIds.length === 0) throw new InvalidArgumentError('item_ids: must not be empty');
      const idx = toIndices(itemIds, 'item_ids', limits.maxCandidates);
      return Array.from(idx, (i) => model.itemEmbedding.slice((i + 1) * d, (i + 2) * d));
    },
    async userEmbedding(h) {
      return model.userEmbeddings([history(h)]);
    },
  };
}

function rowNorms(table: Float32Array, d: number): Float64Array {
  const n = table.length / d;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += table[r * d + j] ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** Ids come from clients: never echo an unbounded one into an error or log. */
function truncate(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}...` : id;
}
