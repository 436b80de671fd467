import { join } from 'node:path';
import { ModelRunner, type ExecutionProvider } from '@thoughtspace/engine';
import { cosine, FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';
import type { Tokenizer } from '../tokenizer';
import {
  loadThoughtSpaceFiles,
  MODEL_FILES,
  type EncoderManifest,
} from '../thought-space/artifact';
import { encodeTexts, type TextEncoders } from '../thought-space/encode';
import { inputNames, type TowerName } from '../thought-space/graph';

/**
 * A trained Thought Space loaded for inference: E1 and E2 as exported ONNX
 * graphs behind the engine's ModelRunner, plus the tokenizer (and the item
 * catalogue when the directory has one).
 */
export class ThoughtSpaceModel implements TextEncoders {
  private constructor(
    readonly manifest: EncoderManifest,
    readonly tokenizer: Tokenizer,
    private readonly runners: Record<TowerName, ModelRunner>,
    private readonly catalogue: Map<string, string> | undefined,
  ) {}

  static async load(
    dir: string,
    options: { threads?: number; executionProvider?: ExecutionProvider } = {},
  ): Promise<ThoughtSpaceModel> {
    const loaded = await loadThoughtSpaceFiles(dir);
    const create = (model: Uint8Array, file: string, name: string) =>
      ModelRunner.create({
        model,
        source: join(dir, file),
        name,
        threads: options.threads,
        executionProvider: options.executionProvider,
      });
    const [rationale, behaviour] = await Promise.all([
      create(loaded.rationaleEncoder, MODEL_FILES.rationaleEncoder, 'thought-space-e1'),
      create(loaded.behaviourEncoder, MODEL_FILES.behaviourEncoder, 'thought-space-e2'),
    ]);
    return new ThoughtSpaceModel(
      loaded.manifest,
      loaded.tokenizer,
      { rationale, behaviour },
      loaded.catalogue,
    );
  }

  /** e.g. `thought-space@3fa9c2d01b7e` (the checkpoint's SHA-256 prefix). */
  get name(): string {
    return `thought-space@${(this.manifest.sha256[this.manifest.files.checkpoint] ?? '').slice(0, 12)}`;
  }

  /**
   * The name of E1 alone, e.g. `thought-space-e1@<16 hex>` (the rationale
   * encoder file's SHA-256 prefix; the file holds the word embeddings, so it
   * fixes the vocabulary too): processes that loaded the same file compute
   * the same E1 of a text, so one may use the other's (the scorer uses
   * tot-selector's vector of the reason it selected).
   */
  get rationaleModel(): string {
    return `thought-space-e1@${(this.manifest.sha256[this.manifest.files.rationaleEncoder] ?? '').slice(0, 16)}`;
  }

  get dim(): number {
    return this.manifest.config.outputDim;
  }

  encodeRationales(texts: readonly string[]): Promise<Float32Array[]> {
    return this.encode('rationale', texts);
  }

  encodeBehaviours(texts: readonly string[]): Promise<Float32Array[]> {
    return this.encode('behaviour', texts);
  }

  /** cos(E1(rationale), E2(behaviour)) in [-1, 1]. */
  async agreement(rationale: string, behaviour: string): Promise<number> {
    return (await this.agreements([rationale], behaviour))[0];
  }

  /** cos(E1(rationales[i]), E2(behaviour)) for each rationale (one E2 pass). */
  async agreements(rationales: readonly string[], behaviour: string): Promise<number[]> {
    const [b] = await this.encodeBehaviours([behaviour]);
    const r = await this.encodeRationales(rationales);
    return r.map((e) => cosine(e, b));
  }

  /** Whether item-id histories can be rendered (the directory has a catalogue). */
  get hasCatalogue(): boolean {
    return this.catalogue !== undefined;
  }

  /**
   * Behaviour text from item ids, rendered as in training: titles, oldest
   * first, the most recent `maxHistoryItems`; `itemId` (if any) is appended
   * last. Unknown ids are refused, naming the field.
   */
  renderBehaviour(history: readonly string[], itemId?: string, field = 'behaviour'): string {
    if (!this.catalogue) {
      throw new FailedPreconditionError(
        'this encoder model has no item catalogue: send behaviour texts (EncodeBehaviours needs catalogue.json for item ids)',
      );
    }
    const ids = itemId === undefined ? [...history] : [...history, itemId];
    const titles = ids.map((id, i) => {
      const t = this.catalogue?.get(id);
      if (t === undefined) {
        const where =
          itemId !== undefined && i === ids.length - 1
            ? `${field}.item_id`
            : `${field}.history.interactions[${i}].item_id`;
        throw new InvalidArgumentError(`${where}: unknown item (not in the encoder's catalogue)`);
      }
      return t;
    });
    const r = this.manifest.behaviourRendering;
    return titles
      .slice(-r.maxHistoryItems)
      .filter((t) => t.length > 0)
      .join(r.separator);
  }

  async dispose(): Promise<void> {
    await this.runners.rationale.dispose();
    await this.runners.behaviour.dispose();
  }

  private encode(tower: TowerName, texts: readonly string[]): Promise<Float32Array[]> {
    const output = inputNames(tower).output;
    return encodeTexts(this.tokenizer, this.manifest.config, tower, texts, async (feeds) => {
      return (await this.runners[tower].run(feeds))[output];
    });
  }
}
