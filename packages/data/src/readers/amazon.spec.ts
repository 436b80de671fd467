import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { NotFoundError } from '@thoughtspace/runtime';
import { readAmazon2014, readAmazon2018 } from './amazon';
import { sharedData as dataFile } from '../internal/shared-data';

// The 2014 fixtures are gzipped as the real files are (and so Prettier leaves the
// Python-literal lines alone); `zcat` shows them.
const FIXTURES = join(__dirname, '__fixtures__', 'amazon-2014');

describe('readAmazon2018 on All_Beauty_5.json.gz', () => {
  it('reads every review with rating, time and text', async () => {
    const raw = await readAmazon2018({
      reviews: dataFile('all-beauty-2018-reviews', 'All_Beauty_5.json.gz'),
    });
    expect(raw.reader).toBe('amazon-2018');
    expect(raw.interactions).toHaveLength(5269);
    expect(new Set(raw.interactions.map((e) => e.user)).size).toBe(991);
    expect(new Set(raw.interactions.map((e) => e.item)).size).toBe(85);
    // No metadata file: the 85 items are ids only.
    expect(raw.items).toHaveLength(85);
    expect(raw.items.every((it) => Object.keys(it).length === 1)).toBe(true);
    expect(raw.report).toMatchObject({ lines: 5269, malformed: 0 });
    expect(raw.report.files[0].bytes).toBe(
      readFileSync(dataFile('all-beauty-2018-reviews', 'All_Beauty_5.json.gz')).length,
    );

    expect(raw.interactions.every((e) => e.rating !== undefined && e.timestamp !== undefined)).toBe(
      true,
    );
    expect(raw.interactions.reduce((s, e) => s + (e.rating as number), 0)).toBe(25143);
    const times = raw.interactions.map((e) => e.timestamp as number);
    expect(Math.min(...times)).toBe(1095724800);
    expect(Math.max(...times)).toBe(1534982400);
    expect(raw.interactions.filter((e) => e.review !== undefined)).toHaveLength(5264);
    expect(raw.interactions.filter((e) => e.summary !== undefined)).toHaveLength(5264);
    expect(raw.interactions[0]).toEqual({
      user: 'A3CIUOJXQ5VDQ2',
      item: 'B0000530HU',
      rating: 5,
      timestamp: 1472688000,
      review: 'As advertised. Reasonably priced',
      summary: 'Five Stars',
    });
  });
});

describe('readAmazon2014 with Python-literal metadata', () => {
  it('parses repr() meta lines and joins them to the reviews', async () => {
    const raw = await readAmazon2014({
      reviews: join(FIXTURES, 'reviews_Toys_and_Games_5.json.gz'),
      meta: join(FIXTURES, 'meta_Toys_and_Games.json.gz'),
    });
    expect(raw.reader).toBe('amazon-2014');
    expect(raw.report).toMatchObject({ lines: 3 + 3, malformed: 0 });
    expect(raw.interactions).toEqual([
      {
        user: 'A1VXOAVRGKGEAK',
        item: '0000031852',
        rating: 5,
        timestamp: 1297468800,
        review: 'Bought this for my daughter & she loves it.',
        summary: 'Great tutu',
      },
      {
        user: 'A8R62G708TSCM',
        item: '0000031852',
        rating: 4,
        timestamp: 1357603200,
        review: 'Nice colours, a bit short.',
        summary: 'Cute',
      },
      // No unixReviewTime: "03 4, 2012" is used; the empty reviewText is absent.
      {
        user: 'A1VXOAVRGKGEAK',
        item: 'B00000JZXS',
        rating: 3,
        timestamp: 1330819200,
        summary: 'OK',
      },
    ]);
    // 0000037214 has metadata but no review, so it is not part of the dataset.
    expect(raw.items).toEqual([
      {
        id: '0000031852',
        title: "Girls' Ballet Tutu Zebra Hot Pink",
        description: "It's a tutu café & more",
        brand: 'Coxlures',
        categories: ['Sports & Outdoors', 'Other Sports', 'Dance', 'Toys & Games', 'Dress Up'],
        price: 3.17,
        attributes: { salesRank: 'Toys & Games: 211836' },
      },
      {
        id: 'B00000JZXS',
        title: 'Très Chic Doll (Vintage)',
        description: 'A doll.\nWith a hat.',
        categories: ['Toys & Games'],
        price: 12.99,
      },
    ]);
  });

  it('detects gzip by content, not by name, and names missing files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readers-amazon-'));
    try {
      const packed = readFileSync(join(FIXTURES, 'reviews_Toys_and_Games_5.json.gz'));
      const gzipNamedJson = join(dir, 'reviews.json');
      writeFileSync(gzipNamedJson, packed);
      const plainNamedGz = join(dir, 'reviews.json.gz');
      writeFileSync(plainNamedGz, gunzipSync(packed));
      const a = await readAmazon2014({ reviews: gzipNamedJson });
      const b = await readAmazon2014({ reviews: plainNamedGz });
      expect(a.interactions).toHaveLength(3);
      expect(b.interactions).toEqual(a.interactions);
      const meta = join(dir, 'meta_missing.json.gz');
      await expect(readAmazon2014({ reviews: gzipNamedJson, meta })).rejects.toThrow(
        new NotFoundError(`file not found: ${meta}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
