import type { Interaction, RawDataset, ReadOptions } from '../types';
import { readAmazonReviews } from './amazon';
import { amazon2023MetaItem } from './amazon-meta';
import { idField, numberField, type JsonObject } from './object-line';
import { cleanText } from './text';

export interface Amazon2023ReadOptions extends ReadOptions {
  /** Review file, JSON lines (.jsonl or .jsonl.gz). */
  reviews: string;
  /** Optional `meta_<Category>.jsonl` file. */
  meta?: string;
}

/**
 * Read Amazon Reviews 2023. Items are identified by parent_asin (falling back
 * to asin), which is how reviews and metadata join; timestamps in the source
 * are milliseconds and are returned as whole seconds.
 */
export function readAmazon2023(options: Amazon2023ReadOptions): Promise<RawDataset> {
  return readAmazonReviews('amazon-2023', options, {
    python: false,
    toInteraction: reviewInteraction,
    metaIdField: 'parent_asin',
    toItem: amazon2023MetaItem,
  });
}

function reviewInteraction(rec: JsonObject): Interaction | string {
  const user = idField(rec.user_id);
  if (user === undefined) return 'missing or invalid user_id';
  const item = idField(rec.parent_asin) ?? idField(rec.asin);
  if (item === undefined) return 'missing or invalid parent_asin and asin';
  const e: Interaction = { user, item };
  const rating = numberField(rec.rating);
  if (Number.isNaN(rating)) return 'rating is not a number';
  if (rating !== undefined) e.rating = rating;
  const ms = numberField(rec.timestamp);
  if (Number.isNaN(ms)) return 'timestamp is not a number';
  if (ms !== undefined) e.timestamp = Math.floor(ms / 1000);
  const review = cleanText(rec.text);
  if (review !== undefined) e.review = review;
  const summary = cleanText(rec.title);
  if (summary !== undefined) e.summary = summary;
  return e;
}
