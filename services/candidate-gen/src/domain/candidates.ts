import {
  createRecentRuns,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@thoughtspace/runtime';
import type { SasrecModel } from '../serving/sasrec-model';
import { nearestUsers, recentItems } from '../similar/similar-users';

/** Model variants the API names (proto `model`); a server serves the one its model directory holds. */
export const MODEL_VARIANTS = ['sasrec', 'coderrec', 'reaemb', 'gru4rec'] as const;

/** Request size limits; every one is configurable (see config.ts). */
export interface Limits {
  /** Largest k for GenerateCandidates. */
  maxK: number;
  /** Largest k for SimilarUsers (the API documents 1..100). */
  maxSimilarUsers: number;
  /** Largest items_per_user for SimilarUsers (the API documents 0..50). */
  maxItemsPerUser: number;
  /** Longest accepted history (the model reads only its last maxLen items). */
  maxHistory: number;
  /** Most candidates per ScoreCandidates call. */
  maxCandidates: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxK: 1000,
  maxSimilarUsers: 100,
  maxItemsPerUser: 50,
  maxHistory: 10000,
  maxCandidates: 10000,
};

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
  generate(req: {
    history: string[];
    k: number;
    exclude?: string[];
    model?: string;
  }): Promise<ScoredId[]>;
  score(req: { history: string[]; candidates: string[]; model?: string }): Promise<ScoredId[]>;
  /**
   * The k nearest indexed users by cosine of user states (score desc, user
   * index asc), each with up to `itemsPerUser` of their most recent items,
   * newest first; `userId`, when it is an indexed user, is left out.
   */
  similarUsers(req: {
    history: string[];
    k: number;
    itemsPerUser?: number;
    userId?: string;
    model?: string;
    /** Prefix of the field names in errors, e.g. `similar_users.` (default none). */
    field?: string;
  }): Promise<{ userId: string; similarity: number; recentItemIds: string[] }[]>;
  itemEmbeddings(itemIds: string[]): Float32Array[];
  /** The history's user state (remembered for recent histories, like generate's). */
  userEmbedding(history: string[]): Promise<Float32Array>;
  /** The model userEmbedding() runs, by name (SasrecModel.userStateModel). */
  readonly userStateModel: string;
}

export function createCandidateDomain(options: {
  model: SasrecModel;
  limits?: Partial<Limits>;
}): CandidateDomain {
  const { model } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const index = new Map(model.manifest.itemIds.map((id, i) => [id, i]));
  const d = model.hidden;
  const userIndex = new Map(model.manifest.userIds.map((id, u) => [id, u]));

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
  const checkRange = (value: number, field: string, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`${field}: must be between ${min} and ${max}, got ${value}`);
  };
  const checkK = (k: number): void => checkRange(k, 'k', 1, limits.maxK);
  // The variant this server loaded (its manifest's; SASRec directories predate the field).
  const served = model.manifest.variant ?? 'sasrec';
  const checkModel = (name: string | undefined): void => {
    if (!name || name === served) return;
    if ((MODEL_VARIANTS as readonly string[]).includes(name))
      throw new NotFoundError(
        `model: "${name}" is not loaded on this server (it serves ${served})`,
      );
    throw new InvalidArgumentError(
      `model: unknown model "${truncate(name)}" (one of ${MODEL_VARIANTS.join(', ')}, or empty for the default)`,
    );
  };
  const ids = model.manifest.itemIds;
  const stateOf = userStateMemo((h) => model.userEmbeddings([h]));

  return {
    modelName: `${served}@${model.manifest.dataset.manifestHash.slice(0, 12)}`,
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
      checkModel(req.model);
      checkK(req.k);
      const h = history(req.history);
      const exclude = [
        ...h,
        ...toIndices(req.exclude ?? [], 'exclude_item_ids', limits.maxCandidates),
      ];
      const emb = await stateOf(h);
      const top = await model.topK(
        emb,
        0,
        Math.min(req.k, model.numItems - new Set(exclude).size),
        exclude,
      );
      return top.map((s) => ({ itemId: ids[s.item], score: s.score }));
    },
    async score(req) {
      checkModel(req.model);
      const h = history(req.history);
      if (req.candidates.length === 0)
        throw new InvalidArgumentError('candidate_item_ids: must not be empty');
      const c = toIndices(req.candidates, 'candidate_item_ids', limits.maxCandidates);
      const [scores] = await model.scoreBatch([h], [c]);
      return req.candidates.map((itemId, i) => ({ itemId, score: scores[i] }));
    },
    async similarUsers(req) {
      checkModel(req.model);
      const field = req.field ?? '';
      checkRange(req.k, `${field}k`, 1, limits.maxSimilarUsers);
      const perUser = req.itemsPerUser ?? 0;
      checkRange(perUser, `${field}items_per_user`, 0, limits.maxItemsPerUser);
      const histories = model.userHistories;
      if (perUser > 0 && !histories)
        throw new FailedPreconditionError(
          `${field}items_per_user: this model directory holds no user histories (saved before they were indexed); retrain it or ask for 0`,
        );
      const h = history(req.history);
      const q = await stateOf(h);
      const [ranked] = await nearestUsers({
        queries: q,
        pool: model.userEmbedding,
        index: await model.userIndex(),
        dim: d,
        k: req.k,
        exclude: [req.userId ? (userIndex.get(req.userId) ?? -1) : -1],
      });
      const users = model.manifest.userIds;
      return ranked.map((n) => ({
        userId: users[n.user],
        similarity: n.score,
        recentItemIds:
          perUser > 0 && histories
            ? recentItems(histories[n.user], perUser).map((i) => ids[i])
            : [],
      }));
    },
    itemEmbeddings(itemIds) {
      if (itemIds.length === 0) throw new InvalidArgumentError('item_ids: must not be empty');
      const idx = toIndices(itemIds, 'item_ids', limits.maxCandidates);
      return Array.from(idx, (i) => model.itemEmbedding.slice((i + 1) * d, (i + 2) * d));
    },
    async userEmbedding(h) {
      // A copy: the remembered state is shared with generate and similarUsers.
      return (await stateOf(history(h))).slice();
    },
    userStateModel: model.userStateModel,
  };
}

const STATES_KEPT = 64;

/**
 * The user state of a history, remembered for the most recent histories (in
 * flight included): one Recommend asks for candidates and for similar users
 * of the same history at the same time, and both start from its state.
 */
export function userStateMemo(
  encode: (history: Int32Array) => Promise<Float32Array>,
): (history: Int32Array) => Promise<Float32Array> {
  // A failed run is not remembered.
  const states = createRecentRuns<Float32Array>(STATES_KEPT);
  return (history) => states.get(history.join(','), () => encode(history));
}

/** Ids come from clients: never echo an unbounded one into an error or log. */
function truncate(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}...` : id;
}
