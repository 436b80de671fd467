import {
  cosine,
  createRecentRuns,
  FailedPreconditionError,
  InvalidArgumentError,
} from '@thoughtspace/runtime';
import type { ThoughtSpaceModel } from '../serving/thought-space-model';

/** Request size limits; every one is configurable (see config.ts). */
export interface Limits {
  /** Most texts (or behaviours) per call; the proto promises 1..1024. */
  maxTexts: number;
  /** Longest accepted text in characters (the encoder reads only its first/last tokens anyway). */
  maxTextChars: number;
  /** Longest accepted history in a behaviour. */
  maxHistory: number;
}

export const DEFAULT_LIMITS: Limits = { maxTexts: 1024, maxTextChars: 20_000, maxHistory: 10_000 };

/** A behaviour context as item ids: the history, oldest first, and optionally an item appended. */
export interface BehaviourIds {
  history: string[];
  itemId?: string;
}

/**
 * The encoder's domain: the Thought Space behind plain strings and item ids.
 * Checks sizes, throws typed errors naming the field; knows nothing about gRPC.
 */
export interface EncoderDomain {
  readonly modelName: string;
  readonly datasetHash: string;
  readonly dim: number;
  checkDataset(hash: string): void;
  encodeRationales(texts: string[]): Promise<Float32Array[]>;
  encodeBehaviours(behaviours: BehaviourIds[]): Promise<Float32Array[]>;
  agreement(req: { rationales: string[]; behaviour: BehaviourIds }): Promise<number[]>;
  /**
   * Start E2 of `behaviour` now, so that an agreement() with the same
   * behaviour soon after finds it computed (tot-selector calls it while
   * rationale-gen writes the tree). Never throws: a bad behaviour is
   * reported by the agreement() that follows.
   */
  prefetchBehaviour(behaviour: BehaviourIds): void;
  /** The name of the model rationaleVector() runs (ThoughtSpaceModel.rationaleModel). */
  readonly rationaleModel: string;
  /**
   * E1 of one rationale: remembered from a recent agreement() (tot-selector
   * asks for the leaf it just selected, to hand on to the scorer), else
   * encoded now.
   */
  rationaleVector(text: string): Promise<Float32Array>;
}

/** E2 embeddings of the most recent behaviour texts kept (pending or done). */
const BEHAVIOURS_KEPT = 64;
/** E1 embeddings of the most recent rationales kept (a few agreements' worth of leaves). */
const RATIONALES_KEPT = 256;

export function createEncoderDomain(options: {
  model: ThoughtSpaceModel;
  limits?: Partial<Limits>;
}): EncoderDomain {
  const { model } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const hash = model.manifest.dataset.manifestHash;

  const count = (n: number, field: string) => {
    if (n === 0) throw new InvalidArgumentError(`${field}: must contain at least one element`);
    if (n > limits.maxTexts)
      throw new InvalidArgumentError(
        `${field}: ${n} elements exceeds the limit of ${limits.maxTexts}`,
      );
  };
  const texts = (list: string[], field: string): string[] => {
    count(list.length, field);
    list.forEach((t, i) => {
      if (typeof t !== 'string' || t.trim().length === 0)
        throw new InvalidArgumentError(`${field}[${i}]: is empty`);
      if (t.length > limits.maxTextChars) {
        throw new InvalidArgumentError(
          `${field}[${i}]: ${t.length} characters exceeds the limit of ${limits.maxTextChars}`,
        );
      }
    });
    return list;
  };
  const render = (b: BehaviourIds, field: string): string => {
    if (b.history.length === 0 && b.itemId === undefined)
      throw new InvalidArgumentError(`${field}.history: must contain at least one interaction`);
    if (b.history.length > limits.maxHistory) {
      throw new InvalidArgumentError(
        `${field}.history: ${b.history.length} interactions exceeds the limit of ${limits.maxHistory}`,
      );
    }
    const text = model.renderBehaviour(b.history, b.itemId, field);
    if (text.length === 0)
      throw new InvalidArgumentError(`${field}: its items have no titles to encode`);
    return text;
  };

  // E2 of a behaviour text, computed once while it is recent: a prefetch and the agreement that
  // follows share one run, and the same history asked again runs none. A failed run is dropped.
  const behaviours = createRecentRuns<Float32Array>(BEHAVIOURS_KEPT);
  const behaviourVector = (text: string): Promise<Float32Array> =>
    behaviours.get(text, () => model.encodeBehaviours([text]).then(([v]) => v));
  // E1 of the rationales of recent agreements, so the selected one is not encoded twice.
  const rationales = createRecentRuns<Float32Array>(RATIONALES_KEPT);

  return {
    modelName: model.name,
    datasetHash: hash,
    dim: model.dim,
    checkDataset(h: string) {
      if (h && h !== hash) {
        throw new FailedPreconditionError(
          `dataset_manifest_hash: the server's encoder was trained on ${hash.slice(0, 12)}, not ${h.slice(0, 64)}`,
        );
      }
    },
    encodeRationales: (list) => model.encodeRationales(texts(list, 'texts')),
    encodeBehaviours(list) {
      count(list.length, 'behaviours');
      return model.encodeBehaviours(list.map((b, i) => render(b, `behaviours[${i}]`)));
    },
    async agreement(req) {
      const list = texts(req.rationales, 'rationales');
      const behaviour = await behaviourVector(render(req.behaviour, 'behaviour'));
      const vectors = await model.encodeRationales(list);
      list.forEach((text, i) => rationales.get(text, () => Promise.resolve(vectors[i])));
      return vectors.map((v) => cosine(v, behaviour));
    },
    prefetchBehaviour(b) {
      let text: string;
      try {
        text = render(b, 'behaviour');
      } catch {
        return;
      }
      behaviourVector(text).catch(() => {});
    },
    rationaleModel: model.rationaleModel,
    async rationaleVector(text) {
      const [t] = texts([text], 'rationale');
      return rationales.get(t, () => model.encodeRationales([t]).then(([v]) => v));
    },
  };
}
