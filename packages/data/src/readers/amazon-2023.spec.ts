import { join } from 'node:path';
import { readAmazon2023 } from './amazon-2023';

const FIXTURES = join(__dirname, '__fixtures__', 'amazon-2023');

describe('readAmazon2023', () => {
  it('maps reviews (ms timestamps to seconds, parent_asin as the item) and metadata', async () => {
    const raw = await readAmazon2023({
      reviews: join(FIXTURES, 'All_Beauty.jsonl'),
      meta: join(FIXTURES, 'meta_All_Beauty.jsonl'),
    });
    expect(raw.reader).toBe('amazon-2023');
    expect(raw.report).toMatchObject({ lines: 6, malformed: 0 });
    expect(raw.interactions).toEqual([
      {
        user: 'AGKHLEW2SOWHNMFQIJGBECAF7INQ',
        item: 'B00YQ6X8EO',
        rating: 5,
        timestamp: 1588687728,
        review: 'This spray is really nice. It smells really good.<br />Not too strong.',
        summary: 'Such a lovely scent but not overpowering.',
      },
      {
        user: 'AGKHLEW2SOWHNMFQIJGBECAF7INQ',
        item: 'B01CUPMQZE',
        rating: 4,
        timestamp: 1588615855,
        review: 'Good conditioner & easy to apply.',
        summary: 'Works great',
      },
      // No parent_asin: falls back to asin; the empty title is absent.
      {
        user: 'AE74DYR3QUGVPZJ3P7RFWBGIX7XQ',
        item: 'B09JS339BZ',
        rating: 1,
        timestamp: 1589665266,
        review: 'Arrived broken',
      },
    ]);
    expect(raw.items).toEqual([
      {
        id: 'B01CUPMQZE',
        title: 'Howard LC0008 Leather Conditioner, 8-Ounce (4-Pack)',
        brand: 'Howard Products',
        attributes: {
          main_category: 'All Beauty',
          'Package Dimensions': '7.1 x 5.5 x 3 inches; 2.38 Pounds',
          UPC: '617390882781',
        },
      },
      {
        id: 'B00YQ6X8EO',
        title: 'Yes To Tomatoes Detoxifying Charcoal Cleanser',
        description: 'Fights blemishes & breakouts.\nMade with charcoal.',
        brand: 'Yes To',
        categories: ['Beauty & Personal Care', 'Skin Care', 'Face'],
        price: 24.99,
        attributes: {
          main_category: 'All Beauty',
          features: 'Clears pores\nGentle',
          'Item Form': 'Powder',
          'Skin Type': 'Acne Prone',
        },
      },
      // Reviewed but absent from the metadata: kept, id only.
      { id: 'B09JS339BZ' },
    ]);
  });
});
