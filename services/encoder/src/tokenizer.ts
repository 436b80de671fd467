import { InvalidArgumentError } from '@thoughtspace/runtime';

export const PAD = 0;
export const UNK = 1;
export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';

export interface VocabularyOptions {
  /** Words seen fewer times than this are [UNK] (default 2). */
  minCount?: number;
  /** Upper bound on the vocabulary, special tokens included (default 20,000). */
  maxSize?: number;
}

/** Which end of a text survives when it has more than `maxTokens` words. */
export type Truncation = 'start' | 'end';

export interface Encoded {
  /** Token ids, [PAD] after the text. */
  ids: Int32Array;
  /** 1 for a real token, 0 for padding. */
  mask: Float32Array;
  /** Real tokens (the rest is padding). */
  length: number;
}

// Markup in item descriptions (`<br>`, `&amp;`) carries no meaning for the encoder.
const MARKUP = /<[^>]{0,200}>|&[a-z]{2,8};|&#\d{1,6};/gi;
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;

/** Lowercase words (letters and digits, with an inner apostrophe), markup removed. Deterministic. */
export function words(text: string): string[] {
  return text.replace(MARKUP, ' ').toLowerCase().match(WORD) ?? [];
}

/**
 * A word-level vocabulary: [PAD] = 0, [UNK] = 1, then words by descending
 * count, ties broken by the word, so the same texts give the same ids.
 */
export class Tokenizer {
  private readonly index: Map<string, number>;

  constructor(readonly vocab: readonly string[]) {
    if (vocab[PAD] !== PAD_TOKEN || vocab[UNK] !== UNK_TOKEN) {
      throw new InvalidArgumentError(
        `tokenizer: vocabulary must start with ${PAD_TOKEN}, ${UNK_TOKEN}, got ${JSON.stringify(vocab.slice(0, 2))}`,
      );
    }
    this.index = new Map(vocab.map((w, i) => [w, i]));
    if (this.index.size !== vocab.length)
      throw new InvalidArgumentError('tokenizer: vocabulary has duplicate words');
  }

  static build(texts: Iterable<string>, options: VocabularyOptions = {}): Tokenizer {
    const minCount = options.minCount ?? 2;
    const maxSize = options.maxSize ?? 20_000;
    if (!(minCount >= 1) || !(maxSize >= 3)) {
      throw new InvalidArgumentError(
        `tokenizer: minCount ${minCount} must be >= 1 and maxSize ${maxSize} >= 3`,
      );
    }
    const counts = new Map<string, number>();
    for (const t of texts) for (const w of words(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const kept = [...counts]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxSize - 2)
      .map(([w]) => w);
    return new Tokenizer([PAD_TOKEN, UNK_TOKEN, ...kept]);
  }

  get size(): number {
    return this.vocab.length;
  }

  id(word: string): number {
    return this.index.get(word) ?? UNK;
  }

  /** Ids of the text's words, truncated to `maxTokens` (keeping the start or the end), padded with [PAD]. */
  encode(text: string, maxTokens: number, truncation: Truncation = 'start'): Encoded {
    const ids = new Int32Array(maxTokens);
    const mask = new Float32Array(maxTokens);
    let w = words(text);
    if (w.length > maxTokens)
      w = truncation === 'start' ? w.slice(0, maxTokens) : w.slice(-maxTokens);
    for (let i = 0; i < w.length; i++) {
      ids[i] = this.id(w[i]);
      mask[i] = 1;
    }
    return { ids, mask, length: w.length };
  }

  /** Words of the ids up to the padding ([UNK] where a word was unknown). */
  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length && ids[i] !== PAD; i++)
      out.push(this.vocab[ids[i]] ?? UNK_TOKEN);
    return out.join(' ');
  }
}
