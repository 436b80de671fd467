import { itemRows, dotScores } from '../sasrec/embeddings';
import { trainerUserEmbeddings, type TrainedSasrec } from '../sasrec/train';
import { itemsOfSimilarUsers, nearestUsers, type Neighbour } from './similar-users';

/**
 * What the rest of the method reads from a SASRec model, by item and user
 * index: user states, item rows, candidate logits, similar users and their
 * items. Callers never see the embedding table's layout.
 */
export interface SasrecIndex {
  readonly dim: number;
  /** Row i = state after histories[i] ([n, dim] flattened). */
  userStates(histories: ArrayLike<number>[]): Promise<Float32Array>;
  /** Item vectors [items.length, dim]. */
  itemRows(items: ArrayLike<number>): Float32Array;
  /** Logits of `candidates` for the user state in row `row` of `states`. */
  scores(states: Float32Array, row: number, candidates: ArrayLike<number>): Float64Array;
  /**
   * Per query: the items of its `neighbours` nearest pool users (cosine of
   * states, score desc, index asc; never the query's own user) that the query
   * has not had, `itemsPerUser` each, newest first.
   */
  similarUsersItems(o: {
    queries: { user: number; history: ArrayLike<number> }[];
    queryStates: Float32Array;
    pool: ArrayLike<number>[];
    poolStates: Float32Array;
    neighbours: number;
    itemsPerUser: number;
  }): Promise<{ neighbours: Neighbour[]; items: number[] }[]>;
}

/** The index over a model still in training (its trainer's current parameters). */
export function trainedSasrecIndex(trained: TrainedSasrec): SasrecIndex {
  const table = trained.trainer.parameters.get('item_embedding') as Float32Array;
  const d = trained.config.hidden;
  return {
    dim: d,
    userStates: (histories) => trainerUserEmbeddings(trained, histories),
    itemRows: (items) => itemRows(table, d, items),
    scores: (states, row, candidates) => dotScores(states, row, table, d, candidates),
    async similarUsersItems(o) {
      const ranked = await nearestUsers({
        queries: o.queryStates,
        pool: o.poolStates,
        dim: d,
        k: o.neighbours,
        exclude: o.queries.map((q) => q.user),
      });
      return ranked.map((neighbours, i) => ({
        neighbours,
        items: itemsOfSimilarUsers({
          neighbours,
          histories: o.pool,
          own: o.queries[i].history,
          itemsPerUser: o.itemsPerUser,
        }),
      }));
    },
  };
}
