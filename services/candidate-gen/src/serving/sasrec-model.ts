import { join } from 'node:path';
import { createTopK, ModelRunner, type ExecutionProvider, type TopK } from '@thoughtspace/engine';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { loadSasrec, type SasrecManifest } from '../sasrec/artifact';
import { encodeCandidates, encodeHistories } from '../sasrec/batches';
import { dotScores, itemRows, userEmbeddings } from '../sasrec/embeddings';
import { loadWindows, windowFor, type SequenceWindow } from './windows';

export interface SasrecLoadOptions {
  threads?: number;
  executionProvider?: ExecutionProvider;
  /**
   * Run histories shorter than maxLen through graphs over the last 8, 16, 32,
   * ... positions, checked against the model file at load (decision 0034;
   * SASRec only, other variants ignore it). Serving turns it on; default off.
   */
  windows?: boolean;
}

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
  /** The item table on the engine's batched top-k, built on first use. */
  private catalogue?: Promise<TopK>;
  private users?: Promise<TopK>;

  private constructor(
    readonly manifest: SasrecManifest,
    private readonly runner: ModelRunner,
    private readonly userEncoder: ModelRunner,
    /** [numItems + 1, hidden]; row 0 is padding. */
    readonly itemEmbedding: Float32Array,
    /** [users, hidden], aligned with manifest.userIds. */
    readonly userEmbedding: Float32Array,
    /** Per user, the history the user states were computed from (absent in older model directories). */
    readonly userHistories: Int32Array[] | undefined,
    private readonly engineOptions: { threads?: number; executionProvider?: ExecutionProvider },
    /** Shorter serving graphs, shortest first (empty: every history runs through the files' graphs). */
    private readonly windows: readonly SequenceWindow[],
  ) {}

  static async load(dir: string, options: SasrecLoadOptions = {}): Promise<SasrecModel> {
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
    const windows =
      options.windows && (loaded.manifest.variant ?? 'sasrec') === 'sasrec'
        ? await loadWindows({
            dir,
            loaded,
            reference: runner,
            engine: { threads: options.threads, executionProvider: options.executionProvider },
          }).catch(async (err: unknown) => {
            await Promise.all([runner.dispose(), userEncoder.dispose()]);
            throw err;
          })
        : [];
    return new SasrecModel(
      loaded.manifest,
      runner,
      userEncoder,
      loaded.itemEmbedding,
      loaded.userEmbedding,
      loaded.userHistories,
      { threads: options.threads, executionProvider: options.executionProvider },
      windows,
    );
  }

  /** The serving windows' lengths, shortest first (empty unless loaded with `windows`). */
  get windowLengths(): number[] {
    return this.windows.map((w) => w.length);
  }

  get numItems(): number {
    return this.manifest.numItems;
  }

  get hidden(): number {
    return this.manifest.config.hidden;
  }

  /**
   * The name of the model behind userEmbeddings(), e.g. `sasrec-user@<16 hex>`
   * (the user encoder file's SHA-256 prefix): two processes that loaded the
   * same file compute the same user state for a history, so one may use the
   * other's (the scorer uses candidate-gen's).
   */
  get userStateModel(): string {
    const variant = this.manifest.variant ?? 'sasrec';
    return `${variant}-user@${(this.manifest.sha256[this.manifest.files.userEncoder] ?? '').slice(0, 16)}`;
  }

  /** Row i = state after histories[i] ([n, hidden] flattened). */
  async userEmbeddings(histories: ArrayLike<number>[], batch = 512): Promise<Float32Array> {
    for (const h of histories) this.checkItems(h, 'history');
    const w = windowFor(this.windows, histories);
    const encoder = w?.userEncoder ?? this.userEncoder;
    return userEmbeddings(
      async (feeds) => (await encoder.run(feeds)).user_embedding,
      histories,
      w?.length ?? this.manifest.config.maxLen,
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
    const w = windowFor(this.windows, histories);
    const out = await (w?.scorer ?? this.runner).run({
      seq: encodeHistories(histories, w?.length ?? this.manifest.config.maxLen),
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

  /**
   * The k highest-scoring items over the whole catalogue, excluding `exclude`
   * (e.g. the history), best first, ties by item index: one engine MatMul
   * over the item table, the same results as a sequential loop.
   */
  async topK(
    embedding: Float32Array,
    row: number,
    k: number,
    exclude: ArrayLike<number>,
  ): Promise<ScoredItem[]> {
    this.checkItems(exclude, 'exclude');
    if (k < 1) return [];
    const d = this.hidden;
    const found = await (
      await this.itemTable()
    ).search({
      queries: embedding.subarray(row * d, (row + 1) * d),
      k,
      exclude: [exclude],
      silent: true,
    });
    return Array.from({ length: found.counts[0] }, (_, j) => ({
      item: found.indices[j],
      score: found.scores[j],
    }));
  }

  /**
   * Full-ranking ranks: for row i of `embeddings`, the 1-based rank of
   * targets[i] among items not in exclude[i], ties counted against the
   * target (as @thoughtspace/metrics' rankOfTarget), batched on the engine.
   */
  async rankTargets(
    embeddings: Float32Array,
    targets: ArrayLike<number>,
    exclude: ArrayLike<number>[],
    options: { silent?: boolean } = {},
  ): Promise<Int32Array> {
    this.checkItems(targets, 'targets');
    return (await this.itemTable()).rank({
      queries: embeddings,
      targets,
      exclude,
      label: 'rank sasrec (full catalogue)',
      silent: options.silent,
    });
  }

  private itemTable(): Promise<TopK> {
    this.catalogue ??= createTopK({
      table: this.itemEmbedding.subarray(this.hidden),
      dim: this.hidden,
      name: 'sasrec-items',
      ...this.engineOptions,
    });
    return this.catalogue;
  }

  /** A cosine TopK over the training users' states (SimilarUsers), built on first use. */
  userIndex(): Promise<TopK> {
    this.users ??= createTopK({
      table: this.userEmbedding,
      dim: this.hidden,
      metric: 'cosine',
      name: 'sasrec-users',
      ...this.engineOptions,
    });
    return this.users;
  }

  async dispose(): Promise<void> {
    if (this.catalogue) await (await this.catalogue).dispose();
    if (this.users) await (await this.users).dispose();
    await this.runner.dispose();
    await this.userEncoder.dispose();
    for (const w of this.windows) await Promise.all([w.scorer.dispose(), w.userEncoder.dispose()]);
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
