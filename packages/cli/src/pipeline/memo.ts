import type { ThoughtSpacePort } from './ports';

/**
 * A Thought Space that remembers what it encoded: the pipeline encodes the
 * same leaves and behaviours under several strategies, and batching all
 * unique texts up front is much faster than many small calls.
 */
export class MemoSpace implements ThoughtSpacePort {
  private readonly rationales = new Map<string, Float32Array>();
  private readonly behaviours = new Map<string, Float32Array>();

  constructor(
    private readonly inner: {
      encodeRationales(texts: readonly string[]): Promise<Float32Array[]>;
      encodeBehaviours(texts: readonly string[]): Promise<Float32Array[]>;
    },
    readonly dim: number,
  ) {}

  encodeRationales(texts: string[]): Promise<Float32Array[]> {
    return this.encode(texts, this.rationales, (t) => this.inner.encodeRationales(t));
  }

  encodeBehaviours(texts: string[]): Promise<Float32Array[]> {
    return this.encode(texts, this.behaviours, (t) => this.inner.encodeBehaviours(t));
  }

  private async encode(
    texts: string[],
    cache: Map<string, Float32Array>,
    run: (t: string[]) => Promise<Float32Array[]>,
  ): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
    if (missing.length > 0) {
      const vectors = await run(missing);
      missing.forEach((t, i) => cache.set(t, vectors[i]));
    }
    return texts.map((t) => cache.get(t) as Float32Array);
  }
}
