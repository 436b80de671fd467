import { PAD, Tokenizer, UNK, words } from './tokenizer';

describe('Tokenizer', () => {
  const texts = [
    'Davines This is a Dry Texturizer, 7.45 fl. oz.',
    'A dry, lightweight spray for instant body and texture<br>with long-lasting hold.',
    "Crabtree & Evelyn - Gardener's Ultra-Moisturising Hand Therapy",
    'dry hair spray; DRY shampoo',
  ];

  it('lowercases, splits on non-word characters and strips markup', () => {
    expect(words("Gardener's Ultra-Moisturising <br/>Hand &amp; 7.45 oz")).toEqual([
      "gardener's",
      'ultra',
      'moisturising',
      'hand',
      '7',
      '45',
      'oz',
    ]);
  });

  it('builds a deterministic vocabulary: specials first, then by count, ties by word', () => {
    const a = Tokenizer.build(texts, { minCount: 2 });
    const b = Tokenizer.build([...texts].reverse(), { minCount: 2 });
    expect(a.vocab).toEqual(b.vocab);
    expect(a.vocab.slice(0, 3)).toEqual(['[PAD]', '[UNK]', 'dry']);
    expect(a.vocab).not.toContain('davines'); // seen once
    expect(Tokenizer.build(texts, { minCount: 1, maxSize: 5 }).size).toBe(5);
  });

  it('round-trips known words and maps unknown words to [UNK]', () => {
    const t = Tokenizer.build(texts, { minCount: 1 });
    const enc = t.encode('Dry spray for hair', 8);
    expect(enc.length).toBe(4);
    expect(t.decode(enc.ids)).toBe('dry spray for hair');
    expect(Array.from(enc.mask)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(enc.ids.slice(4))).toEqual([PAD, PAD, PAD, PAD]);
    const unknown = t.encode('dry zyxwv spray', 4);
    expect(unknown.ids[1]).toBe(UNK);
    expect(t.decode(unknown.ids)).toBe('dry [UNK] spray');
    // A vocabulary saved as a list restores the same ids.
    expect(new Tokenizer([...t.vocab]).encode('dry spray', 3).ids).toEqual(
      t.encode('dry spray', 3).ids,
    );
  });

  it('truncates keeping the start or the end', () => {
    const t = Tokenizer.build(['a b c d e'], { minCount: 1 });
    expect(t.decode(t.encode('a b c d e', 2, 'start').ids)).toBe('a b');
    expect(t.decode(t.encode('a b c d e', 2, 'end').ids)).toBe('d e');
  });

  it('refuses a vocabulary without the special tokens', () => {
    expect(() => new Tokenizer(['dry', 'spray'])).toThrow(/must start with \[PAD\], \[UNK\]/);
  });
});
