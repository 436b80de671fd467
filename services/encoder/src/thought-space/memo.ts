import { createProgress } from '@thoughtspace/runtime';
import type { TextEncoders } from './encode';

/** Texts per inner call: large enough to batch well, small enough for progress lines. */
const CHUNK = 4096;

/**
 * A Thought Space that remembers what it encoded: the pipeline encodes the
 * same leaves and behaviours under several strategies, and batching all
 * unique texts up front is much faster than many small calls.
 */
export class MemoSpace implements TextEncoders {
  private readonly rationales = new Map<string, Float32Array>();
  private readonly behaviours = new Map<string, Float32Array>();

  constructor(
    private readonly inner: TextEncoders,
    readonly dim: number,
    private readonly options: { silent?: boolean } = {},
  ) {}

  encodeRationales(texts: readonly string[]): Promise<Float32Array[]> {
    return this.encode(
      texts,
      this.rationales,
      (t) => this.inner.encodeRationales(t),
      'encode rationales (E1)',
    );
  }

  encodeBehaviours(texts: readonly string[]): Promise<Float32Array[]> {
    return this.encode(
      texts,
      this.behaviours,
      (t) => this.inner.encodeBehaviours(t),
      'encode behaviours (E2)',
    );
  }

  private async encode(
    texts: readonly string[],
    cache: Map<string, Float32Array>,
    run: (t: readonly string[]) => Promise<Float32Array[]>,
    label: string,
  ): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
    // Only large batches get progress output; the per-case calls of tree selection stay quiet.
    const progress = createProgress({
      label,
      total: missing.length,
      unit: 'texts',
      silent: this.options.silent || missing.length < CHUNK,
    });
    for (let s = 0; s < missing.length; s += CHUNK) {
      const chunk = missing.slice(s, s + CHUNK);
      const vectors = await run(chunk);
      chunk.forEach((t, i) => cache.set(t, vectors[i]));
      progress.tick(chunk.length);
    }
    progress.done();
    return texts.map((t) => cache.get(t) as Float32Array);
  }
}
