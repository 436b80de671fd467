import type { Interaction, Item, RawDataset, ReadOptions } from '../types';
import { amazonMetaItem } from './amazon-meta';
import { joinCatalogue, referencedItems } from './catalogue';
import { ReadContext } from './context';
import { readMetaCatalogue } from './meta-catalogue';
import { idField, numberField, parseObjectLine, type JsonObject } from './object-line';
import { cleanText } from './text';

export interface AmazonReadOptions extends ReadOptions {
  /** Review file, one object per line (.json or .json.gz). */
  reviews: string;
  /** Optional metadata file (JSON or Python-literal lines, .json or .json.gz). */
  meta?: string;
}

/** Read Amazon Review Data 2018 (reviewerID, asin, overall, unixReviewTime, reviewText, summary). */
export function readAmazon2018(options: AmazonReadOptions): Promise<RawDataset> {
  return readAmazon('amazon-2018', options);
}

/** Read Amazon Review Data 2014: the 2018 fields, with Python-literal metadata lines. */
export function readAmazon2014(options: AmazonReadOptions): Promise<RawDataset> {
  return readAmazon('amazon-2014', options);
}

function readAmazon(reader: string, options: AmazonReadOptions): Promise<RawDataset> {
  return readAmazonReviews(reader, options, {
    python: true,
    toInteraction: reviewInteraction,
    metaIdField: 'asin',
    toItem: amazonMetaItem,
  });
}

/**
 * The one Amazon review-file reader (2014, 2018 and 2023 layouts): one object
 * per review line mapped by `toInteraction` (a string = why the line is
 * malformed, counted), then the metadata of the referenced items, joined.
 */
export async function readAmazonReviews(
  reader: string,
  options: ReadOptions & { reviews: string; meta?: string },
  layout: {
    /** Accept Python-literal lines (the 2014/2018 files have some). */
    python: boolean;
    toInteraction: (rec: JsonObject) => Interaction | string;
    metaIdField: string;
    toItem: (rec: JsonObject) => Item | string;
  },
): Promise<RawDataset> {
  const ctx = new ReadContext(options);
  const interactions: Interaction[] = [];
  await ctx.eachLine(options.reviews, (line) => {
    const parsed = parseObjectLine(line, { python: layout.python });
    if (parsed.reason !== undefined) return parsed.reason;
    const e = layout.toInteraction(parsed.value);
    if (typeof e === 'string') return e;
    interactions.push(e);
  });
  const catalogue =
    options.meta === undefined
      ? new Map<string, Item>()
      : await readMetaCatalogue(ctx, options.meta, referencedItems(interactions), {
          idField: layout.metaIdField,
          toItem: layout.toItem,
        });
  return {
    reader,
    items: joinCatalogue(interactions, catalogue),
    interactions,
    report: ctx.report(),
  };
}

function reviewInteraction(rec: JsonObject): Interaction | string {
  const user = idField(rec.reviewerID);
  if (user === undefined) return 'missing or invalid reviewerID';
  const item = idField(rec.asin);
  if (item === undefined) return 'missing or invalid asin';
  const e: Interaction = { user, item };
  const rating = numberField(rec.overall);
  if (Number.isNaN(rating)) return 'overall is not a number';
  if (rating !== undefined) e.rating = rating;
  const timestamp = numberField(rec.unixReviewTime) ?? reviewDate(rec.reviewTime);
  if (Number.isNaN(timestamp)) return 'unixReviewTime is not a number';
  if (timestamp !== undefined) e.timestamp = timestamp;
  const review = cleanText(rec.reviewText);
  if (review !== undefined) e.review = review;
  const summary = cleanText(rec.summary);
  if (summary !== undefined) e.summary = summary;
  return e;
}

/** "09 1, 2016" (month day, year) as unix seconds at UTC midnight, for records without unixReviewTime. */
function reviewDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d{1,2}) (\d{1,2}), (\d{4})\s*$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) / 1000;
}
