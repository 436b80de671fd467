import type { Dataset, Item } from '@thoughtspace/data';
import type { CataloguePort, HistoryEvent } from '@thoughtspace/pipeline';
import { NotFoundError } from '@thoughtspace/runtime';

/** The gateway's view of the dataset: item text for ids and known users' histories. */
export interface Catalogue extends CataloguePort {
  readonly name: string;
  readonly manifestHash: string;
  /** One item by id; unknown ids are NotFoundError naming `field`. */
  item(id: string, field: string): Item;
  /** A known user's whole history, oldest first, with ratings and reviews where the data has them. */
  userHistory(userId: string): HistoryEvent[];
}

export function createCatalogue(o: {
  dataset: Dataset;
  name: string;
  manifestHash: string;
}): Catalogue {
  const { dataset } = o;
  const items = new Map(dataset.itemIds.map((id, i) => [id, i]));
  const users = new Map(dataset.userIds.map((id, u) => [id, u]));
  const item = (id: string, field: string): Item => {
    const i = items.get(id);
    if (i === undefined) throw new NotFoundError(`${field}: unknown item ${JSON.stringify(id)}`);
    return dataset.items[i];
  };
  return {
    name: o.name,
    manifestHash: o.manifestHash,
    item,
    async items(req) {
      return req.itemIds.map((id, k) => item(id, `item_ids[${k}]`));
    },
    userHistory(userId) {
      const u = users.get(userId);
      if (u === undefined)
        throw new NotFoundError(`user_id: unknown user ${JSON.stringify(userId)}`);
      return Array.from(dataset.sequences[u], (i, k) => {
        const rating = dataset.ratings?.[u][k];
        const review = dataset.reviews?.[u]?.[k];
        return {
          item: dataset.items[i],
          ...(rating !== undefined && !Number.isNaN(rating) ? { rating } : {}),
          ...(review ? { review } : {}),
        };
      });
    },
  };
}
