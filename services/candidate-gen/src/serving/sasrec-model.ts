import { join } from 'node:path';
import { ModelRunner, type ExecutionProvider } from '@thoughtspace/engine';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { loadSasrec, type SasrecManifest } from '../sasrec/artifact';
import { encodeCandidates, encodeHistories } from '../sasrec/batches';
import { dotScores, itemRows, userEmbeddings } from '../sasrec/embeddings';

export interface ScoredItem {
  item: number;
  score: number;
}

/**
 * A trained SASRec loaded for inference: the exported ONNX graph through the
 * engine's ModelRunner plus the item embedding table. Item arguments are item
 * indices (see `manifest.itemIds`); scores are model logits.
 */
export class SasrecModel {
  private constructor(
    readonly manifest: SasrecManifest,
    private readonly runner: ModelRunner,
    private readonly userEncoder: ModelRunner,
    /** [numItems + 1, hidden]; row 0 is padding. */
    readonly itemEmbedding: Float32Array,
    /** [users, hidden], aligned with manifest.userIds. */
    readonly userEmbedding: Float32Array,
    /** Per user, the history the user states were computed from (absent in older model directories). */
    readonly userHistories?: Int32Array[],
  ) {}

  static async load(
    dir: string,
    options: { threads?: number; executionProvider?: ExecutionProvider } = {},
  ): Promise<SasrecModel> {
    const loaded = await loadSasrec(dir);
    const create = (model: Uint8Array, file: string, name: string) =>
      ModelRunner.create({
        model,
        source: join(dir, file),
        name,
        threads: options.threads,
        executionProvider: options.executionProvider,
      });
    const [runner, userEncoder] = await Promise.all([
      create(loaded.onnx, loaded.manifest.files.onnx, 'sasrec'),
      create(loaded.userEncoder, loaded.manifest.files.userEncoder, 'sasrec-user-encoder'),
    ]);
    return new SasrecModel(
      loaded.manifest,
      runner,
      userEncoder,
      loaded.itemEmbedding,
      loaded.userEmbedding,
      loaded.userHistories,
    );
  }

  get numItems(): number {
    return this.manifest.numItems;
  }

  get hidden(): number {
    return this.manifest.config.hidden;
  }

  /** Row i = state after histories[i] ([n, hidden] flattened). */
  async userEmbeddings(histories: ArrayLike<number>[], batch = 512): Promise<Float32Array> {
    for (const h of histories) this.checkItems(h, 'history');
    return userEmbeddings(
      async (feeds) => (await this.userEncoder.run(feeds)).user_embedding,
      histories,
      this.manifest.config.maxLen,
      this.hidden,
      batch,
    );
  }

  /** Scores through the exported graph's `scores` output (one session.run for the batch). */
  async scoreBatch(
    histories: ArrayLike<number>[],
    candidates: ArrayLike<number>[],
  ): Promise<Float32Array[]> {
    histories.forEach((h) => this.checkItems(h, 'history'));
    candidates.forEach((c) => this.checkItems(c, 'candidates'));
    const out = await this.runner.run({
      seq: encodeHistories(histories, this.manifest.config.maxLen),
      candidates: encodeCandidates(candidates),
    });
    const c = candidates[0]?.length ?? 0;
    const data = out.scores.data as Float32Array;
    return candidates.map((_, i) => data.slice(i * c, (i + 1) * c));
  }

  /** Scores from user embeddings and the item table (any candidate count per case). */
  scoreWithEmbedding(
    embeddings: Float32Array,
    row: number,
    candidates: ArrayLike<number>,
  ): Float64Array {
    this.checkItems(candidates, 'candidates');
    return dotScores(embeddings, row, this.itemEmbedding, this.hidden, candidates);
  }

  /** Item vectors [items.length, hidden] (the table's rows, padding offset applied). */
  itemRows(items: ArrayLike<number>): Float32Array {
    this.checkItems(items, 'items');
    return itemRows(this.itemEmbedding, this.hidden, items);
  }

  /** The k highest-scoring items over the whole catalogue, excluding `exclude` (e.g. the history). */
  topK(embedding: Float32Array, row: number, k: number, exclude: ArrayLike<number>): ScoredItem[] {
    const skip = new Set<number>(Array.from(exclude));
    const d = this.hidden;
    const best: ScoredItem[] = [];
    for (let item = 0; item < this.numItems; item++) {
      if (skip.has(item)) continue;
      let s = 0;
      const r = (item + 1) * d;
      for (let j = 0; j < d; j++) s += embedding[row * d + j] * this.itemEmbedding[r + j];
      if (best.length < k) {
        best.push({ item, score: s });
        if (best.length === k) best.sort((a, b) => b.score - a.score);
      } else if (s > best[k - 1].score) {
        let pos = k - 1;
        while (pos > 0 && best[pos - 1].score < s) pos--;
        best.splice(pos, 0, { item, score: s });
        best.pop();
      }
    }
    return best.sort((a, b) => b.score - a.score || a.item - b.item);
  }

  async dispose(): Promise<void> {
    await this.runner.dispose();
    await this.userEncoder.dispose();
  }

  private checkItems(items: ArrayLike<number>, field: string): void {
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      if (!Number.isInteger(x) || x < 0 || x >= this.numItems) {
        throw new InvalidArgumentError(
          `${field}[${i}]: item index ${x} is outside the model's ${this.numItems} items`,
        );
      }
    }
  }
}
