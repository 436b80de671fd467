import type { Item } from '../types';
import { setAttribute } from './catalogue';
import { idField, type JsonObject } from './object-line';
import { cleanJoined, cleanText, cleanTextList } from './text';

const PRICE = /^\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)$/;
const PRICE_RANGE = /^\$?\s*[0-9][0-9,]*(?:\.[0-9]+)?\s*-\s*\$?\s*[0-9][0-9,]*(?:\.[0-9]+)?$/;

/**
 * Amazon prices are numbers (2014, some 2023), strings like "$12.99" (2018)
 * or ranges ("$4.99 - $9.99"). A single amount becomes `price`; a range is
 * kept verbatim as `attributes.price`; anything else (the 2018 files carry
 * scraped page CSS in this field) is ignored.
 */
export function applyPrice(item: Item, value: unknown): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) item.price = value;
    return;
  }
  if (typeof value !== 'string') return;
  const text = value.trim();
  const m = PRICE.exec(text);
  if (m) {
    item.price = Number(m[1].replace(/,/g, ''));
  } else if (PRICE_RANGE.test(text)) {
    setAttribute(item, 'price', text);
  }
}

/** Copy an object of free-form details ({"Item Weight:": "1 lb"}) into attributes, keys tidied. */
function applyDetails(item: Item, details: unknown): void {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return;
  for (const [rawKey, raw] of Object.entries(details as JsonObject)) {
    const key = cleanText(rawKey)?.replace(/\s*:$/, '');
    if (key === undefined || key === '' || item.attributes?.[key] !== undefined) continue;
    const value =
      typeof raw === 'object' && raw !== null ? cleanText(JSON.stringify(raw)) : cleanText(raw);
    setAttribute(item, key, value);
  }
}

function applyText(item: Item, rec: JsonObject, brandField: string): void {
  const title = cleanText(rec.title);
  if (title !== undefined) item.title = title;
  const description = cleanJoined(rec.description, '\n');
  if (description !== undefined) item.description = description;
  const brand = cleanText(rec[brandField]);
  if (brand !== undefined) item.brand = brand;
}

/**
 * A 2014 or 2018 metadata record. 2014 has `categories` as a list of
 * category paths (flattened, coarse to fine, repeats removed) and
 * `salesRank` as {category: rank}; 2018 has `category` as one path,
 * `description` as a list of paragraphs and `details` as an object.
 */
export function amazonMetaItem(rec: JsonObject): Item | string {
  const id = idField(rec.asin);
  if (id === undefined) return 'missing or invalid asin';
  const item: Item = { id };
  applyText(item, rec, 'brand');
  const categories = cleanTextList(rec.category ?? rec.categories);
  if (categories.length > 0) item.categories = categories;
  applyPrice(item, rec.price);
  setAttribute(item, 'main_cat', cleanText(rec.main_cat));
  setAttribute(item, 'date', cleanText(rec.date));
  setAttribute(item, 'feature', cleanJoined(rec.feature, '\n'));
  setAttribute(item, 'rank', cleanJoined(rec.rank, '; '));
  const salesRank = rec.salesRank;
  if (typeof salesRank === 'object' && salesRank !== null && !Array.isArray(salesRank)) {
    const ranks = Object.entries(salesRank).map(([cat, rank]) => `${cat}: ${String(rank)}`);
    setAttribute(item, 'salesRank', cleanJoined(ranks, '; '));
  }
  applyDetails(item, rec.details);
  return item;
}

/** A 2023 metadata record (keyed by parent_asin; `store` is the brand). */
export function amazon2023MetaItem(rec: JsonObject): Item | string {
  const id = idField(rec.parent_asin) ?? idField(rec.asin);
  if (id === undefined) return 'missing or invalid parent_asin';
  const item: Item = { id };
  applyText(item, rec, 'store');
  const categories = cleanTextList(rec.categories);
  if (categories.length > 0) item.categories = categories;
  applyPrice(item, rec.price);
  setAttribute(item, 'main_category', cleanText(rec.main_category));
  setAttribute(item, 'features', cleanJoined(rec.features, '\n'));
  applyDetails(item, rec.details);
  return item;
}
