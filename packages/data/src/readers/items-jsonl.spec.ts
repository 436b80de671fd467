import { readItemsJsonl } from './items-jsonl';
import { sharedData as dataFile } from '../internal/shared-data';

describe('readItemsJsonl on Luxury_Beauty_items.jsonl', () => {
  it('reads every item with unescaped text and the asin as an attribute', async () => {
    const raw = await readItemsJsonl({
      items: dataFile('luxury-beauty-2018', 'Luxury_Beauty_items.jsonl'),
    });
    expect(raw.reader).toBe('items-jsonl');
    expect(raw.interactions).toEqual([]);
    expect(raw.items).toHaveLength(6141);
    expect(raw.report).toMatchObject({ lines: 6141, malformed: 0 });

    const first = raw.items[0];
    expect(first.id).toBe('1');
    expect(first.title).toBe(
      "Crabtree & Evelyn - Gardener's Ultra-Moisturising Hand Therapy Pump - 250g/8.8 OZ",
    );
    expect(first.description).toMatch(/^After a long day of handling thorny situations/);
    expect(first.attributes).toEqual({ asin: 'B00004U9V2' });
    expect(raw.items[6140]).toMatchObject({ id: '6141', attributes: { asin: 'B01HIQEOLO' } });

    // 6,136 items have a title (5 are blank in the source: absent, not empty strings); 5,738 a description.
    expect(raw.items.filter((it) => it.title !== undefined)).toHaveLength(6136);
    expect(raw.items.filter((it) => it.description !== undefined)).toHaveLength(5738);
    expect(raw.items.some((it) => it.title === '' || it.description === '')).toBe(false);
    // 697 source titles contain "&"; after decoding 396 still do, as a literal "&", and no
    // character reference is left in any text (some descriptions are escaped twice).
    expect(raw.items.filter((it) => it.title?.includes('&'))).toHaveLength(396);
    const entity = /&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;
    expect(
      raw.items.filter((it) => entity.test(it.title ?? '') || entity.test(it.description ?? '')),
    ).toEqual([]);
  });
});

// Counted by `npm run bench -- entities` (bench/results/entities.json): with the
// `entities` package, 2 of 12,282 luxury-beauty-2018 and 2 of 3,708
// all-beauty-2018 title/description fields decode differently from the old
// hand-written table; ml-100k, scientific-2018 and the review texts do not change.
describe('HTML entities in real item text that the old hand-written table missed', () => {
  it('all-beauty-2018 item 859: &#150; is an en dash, not a dropped control character', async () => {
    const raw = await readItemsJsonl({
      items: dataFile('all-beauty-2018', 'All_Beauty_items.jsonl'),
    });
    const item = raw.items.find((it) => it.id === '859');
    expect(item?.attributes?.asin).toBe('B0144E3WPM');
    // The old decoder produced U+0096 and stripped it: "from 20400 kHz".
    expect(item?.description).toContain('(usually from 20\u2013400 kHz)');
    const seller = raw.items.find((it) => it.id === '727');
    expect(seller?.description).toContain('===\u226bSeller: Dum Beauty\u226a===');
  });

  it('luxury-beauty-2018 items 2461 and 5066: a trailing legacy "&nbsp" is decoded, then trimmed', async () => {
    const raw = await readItemsJsonl({
      items: dataFile('luxury-beauty-2018', 'Luxury_Beauty_items.jsonl'),
    });
    for (const id of ['2461', '5066']) {
      const description = raw.items.find((it) => it.id === id)?.description ?? '';
      expect(description.endsWith('Greenlife. http://cosmetics.ecocert.com')).toBe(true);
    }
    expect(raw.items.filter((it) => (it.description ?? '').includes('&nbsp'))).toEqual([]);
  });
});
