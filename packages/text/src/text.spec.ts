import { leaveOneOut, prepareDataset, type Dataset } from '@thoughtspace/data';
import { renderBehaviour, type HistoryEntry } from './behaviour';
import { hasText, itemLabel, itemText } from './item';
import { tokenize } from './tokenize';

function historyOf(ds: Dataset, user: number, seq: Int32Array): HistoryEntry[] {
  return Array.from(seq, (idx, i) => ({
    item: ds.items[idx],
    rating: ds.ratings && !Number.isNaN(ds.ratings[user][i]) ? ds.ratings[user][i] : undefined,
    review: ds.reviews?.[user][i] ?? undefined,
  }));
}

describe('itemText', () => {
  it('renders title | brand | categories | price | description, bounded', () => {
    const item = {
      id: 'B1',
      title: 'Crabtree &amp; Evelyn Hand Therapy',
      brand: 'Crabtree & Evelyn',
      categories: ['Beauty', 'Skin Care', 'Hands'],
      price: 18,
      description: 'Shea butter and extracts of yarrow, clover and calendula soothe hands. '.repeat(
        5,
      ),
    };
    const out = itemText(item, { maxChars: 160 });
    expect(
      out.startsWith(
        'Crabtree &amp; Evelyn Hand Therapy | Crabtree & Evelyn | Beauty > Skin Care > Hands | $18.00 | Shea butter',
      ),
    ).toBe(true);
    expect(out.length).toBeLessThanOrEqual(160);
    expect(out.endsWith('…')).toBe(true);
  });

  it('renders an item without text as `item <id>`', () => {
    expect(hasText({ id: 'B000URXP6E' })).toBe(false);
    expect(itemText({ id: 'B000URXP6E' })).toBe('item B000URXP6E');
    expect(itemLabel({ id: 'B000URXP6E' })).toBe('item B000URXP6E');
  });
});

describe('renderBehaviour on real data', () => {
  it('luxury-beauty-2018: most recent items, oldest first, one line each, candidate last', async () => {
    const { dataset } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
    const c = leaveOneOut(dataset).test.find((t) => t.history.length >= 6)!;
    const history = historyOf(dataset, c.user, c.history);
    const candidate = dataset.items[c.target];
    const text = renderBehaviour({ history, candidate }, { maxItems: 4, maxCharsPerItem: 120 });
    const lines = text.split('\n');
    expect(lines).toHaveLength(5);
    const last4 = history.slice(-4);
    last4.forEach((h, i) => {
      expect(lines[i].startsWith('- ')).toBe(true);
      expect(lines[i]).toContain(itemLabel(h.item, 20).replace(/…$/, ''));
      expect(lines[i].length).toBeLessThanOrEqual(120);
    });
    expect(lines[4].startsWith('candidate: ')).toBe(true);
    expect(renderBehaviour({ history, candidate }, { maxItems: 4, maxCharsPerItem: 120 })).toBe(
      text,
    );
  });

  it('all-beauty-2018-reviews: ratings and sanitised reviews, items without text by id', async () => {
    const { dataset } = await prepareDataset({ dataset: 'all-beauty-2018-reviews' });
    const c = leaveOneOut(dataset).test[0];
    const history = historyOf(dataset, c.user, c.history);
    const text = renderBehaviour({ history }, { maxItems: 50, maxCharsPerItem: 200 });
    const lines = text.split('\n');
    expect(lines).toHaveLength(history.length);
    expect(lines[0]).toMatch(/^- item \S+ \| rated \d(\.\d)? \| review: /);
  });
});

describe('tokenize', () => {
  it('lowercases and splits on punctuation', () => {
    expect(tokenize('Revision Skincare D.E.J. Eye-Cream, 1.7oz')).toEqual([
      'revision',
      'skincare',
      'd',
      'e',
      'j',
      'eye',
      'cream',
      '1',
      '7oz',
    ]);
    expect(tokenize('  ')).toEqual([]);
    expect(tokenize('Crème BRÛLÉE!')).toEqual(['crème', 'brûlée']);
  });
});
