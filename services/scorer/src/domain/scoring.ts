import type { Item } from '@thoughtspace/data';
import type { ModelRunner } from '@thoughtspace/engine';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@thoughtspace/runtime';
import type { HistoryEntry } from '@thoughtspace/text';
import {
  agreementText,
  collaborativeFeatures,
  collaborativeModels,
  SCORER_FEATURES,
  scorerExamples,
  type AgreementFeature,
} from '../features';
import type { ScorerManifest } from '../serving/artifact';

/** What scoring needs from candidate-gen's SASRec (its public SasrecModel satisfies it). */
export interface SasrecFeatures {
  readonly hidden: number;
  /** The name of the model behind userEmbeddings() (a handed-over state must name it). */
  readonly userStateModel: string;
  /** [numItems + 1, hidden]; row 0 is padding. */
  readonly itemEmbedding: Float32Array;
  userEmbeddings(histories: ArrayLike<number>[]): Promise<Float32Array>;
  scoreWithEmbedding(
    embeddings: Float32Array,
    row: number,
    candidates: ArrayLike<number>,
  ): Float64Array;
}

/** What scoring needs from the encoder's Thought Space (its public ThoughtSpaceModel satisfies it). */
export interface ThoughtSpaceFeatures {
  readonly dim: number;
  /** The name of E1 (a handed-over reason embedding must name it). */
  readonly rationaleModel: string;
  encodeRationales(texts: readonly string[]): Promise<Float32Array[]>;
  encodeBehaviours(texts: readonly string[]): Promise<Float32Array[]>;
}

/** A vector another service computed, named by its model (proto ModelVector). */
export interface HandedVector {
  model: string;
  values: ArrayLike<number>;
}

/** The inputs a caller may hand over instead of the scorer computing them (ScoreRequest fields). */
export type HandedInput = 'user_state' | 'reason_embedding';

/** One interaction of the scored history, by source id. */
export interface HistoryInput {
  itemId: string;
  rating?: number;
  review?: string;
}

export interface ScoringLimits {
  maxCandidates: number;
  maxHistory: number;
}

export const DEFAULT_SCORING_LIMITS: ScoringLimits = { maxCandidates: 10_000, maxHistory: 1000 };

/** The scorer's inputs for one request (ScorerExample without the label). */
export interface ScorerInputs {
  /** [n * F], candidate-major. */
  features: Float32Array;
  /** [n * D] candidate SASRec item vectors. */
  items: Float32Array;
  /** [P] E1(reason), or null without a reason. */
  reason: Float32Array | null;
}

export interface FeatureLayout {
  /** Std the per-request centred SASRec logits are divided by (from the training cases). */
  sasrecStd: number;
  /** Items of the E2 behaviour text. */
  behaviourMaxItems: number;
  /** What E1(reason) is compared with (model.json's feature names); default history-candidate. */
  agreement?: AgreementFeature;
}

/** Feature names in order, as model.json records them (the training layout). */
export const FEATURE_NAMES = SCORER_FEATURES;

/** What the scorer is asked to rank: by source ids, optionally with vectors computed upstream. */
export interface ScoreInput {
  history: HistoryInput[];
  candidates: string[];
  reason: string | null;
  /** The history's SASRec user state from candidate-gen; used when it names this scorer's model. */
  userState?: HandedVector;
  /** E1(reason) from tot-selector; used when it names this scorer's E1. */
  reasonEmbedding?: HandedVector;
}

export type FeatureBuilder = (req: ScoreInput) => Promise<ScorerInputs>;

/**
 * The scorer's inputs from a request, by source ids: SASRec logit (centred
 * per request, divided by the training std), log popularity, log transitions
 * from the last item, Thought-Space agreement of the reason with history +
 * candidate (every candidate alike; 0 without a reason), the candidate's
 * SASRec item vector and E1(reason). The same function builds training
 * examples and serves requests, so the two cannot drift apart.
 */
export function createFeatureBuilder(o: {
  layout: FeatureLayout;
  fit: Int32Array[];
  /** Source item ids, index-aligned with the models' item rows. */
  itemIds: readonly string[];
  catalogue: readonly Item[];
  sasrec: SasrecFeatures;
  encoder: ThoughtSpaceFeatures;
  limits?: Partial<ScoringLimits>;
  /**
   * With the `candidate` agreement: E2 of every catalogue item's text, index-
   * aligned with `catalogue` (itemBehaviours() builds it once at start-up).
   * Absent: encoded per request (the reference path).
   */
  itemBehaviours?: readonly Float32Array[];
  /**
   * Called when a handed-over vector names another model, so the scorer ran
   * its own (a version skew between services worth seeing; never an error).
   */
  onRecompute?: (input: HandedInput) => void;
}): FeatureBuilder {
  const { layout, sasrec, encoder } = o;
  const agreement = layout.agreement ?? 'history-candidate';
  if (o.itemBehaviours && agreement !== 'candidate')
    throw new InvalidArgumentError(
      `itemBehaviours: only the candidate agreement reads per-item vectors, the layout has ${agreement}`,
    );
  if (o.itemBehaviours && o.itemBehaviours.length !== o.catalogue.length)
    throw new InvalidArgumentError(
      `itemBehaviours: ${o.itemBehaviours.length} vectors for ${o.catalogue.length} catalogue items`,
    );
  const limits = { ...DEFAULT_SCORING_LIMITS, ...o.limits };
  const D = sasrec.hidden;
  const P = encoder.dim;
  const index = new Map(o.itemIds.map((id, i) => [id, i]));
  const fit = { sequences: o.fit, numItems: o.itemIds.length };
  // Fitted once: every request reads the same counts.
  const models = collaborativeModels(fit);
  const lookup = (id: string, field: string): number => {
    const i = index.get(id);
    if (i === undefined) throw new NotFoundError(`${field}: unknown item ${JSON.stringify(id)}`);
    return i;
  };
  /** A handed-over vector to use, or undefined to compute it here (absent, or another model's). */
  const handed = (
    v: HandedVector | undefined,
    field: HandedInput,
    model: string,
    dim: number,
  ): Float32Array | undefined => {
    if (!v) return undefined;
    if (v.model !== model) {
      o.onRecompute?.(field);
      return undefined;
    }
    if (v.values.length !== dim)
      throw new InvalidArgumentError(
        `${field}.values: ${v.values.length} values, ${model} has ${dim}`,
      );
    const out = Float32Array.from(v.values);
    const bad = out.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new InvalidArgumentError(`${field}.values[${bad}]: ${out[bad]} is not a finite number`);
    return out;
  };
  return async (req) => {
    if (req.history.length === 0) {
      throw new InvalidArgumentError('history.interactions must not be empty');
    }
    if (req.history.length > limits.maxHistory) {
      throw new InvalidArgumentError(
        `history.interactions must have at most ${limits.maxHistory} entries, got ${req.history.length}`,
      );
    }
    if (req.candidates.length === 0) {
      throw new InvalidArgumentError('candidate_item_ids must not be empty');
    }
    if (req.candidates.length > limits.maxCandidates) {
      throw new InvalidArgumentError(
        `candidate_item_ids must have at most ${limits.maxCandidates} entries, got ${req.candidates.length}`,
      );
    }
    const h = Int32Array.from(req.history, (e, i) =>
      lookup(e.itemId, `history.interactions[${i}].item_id`),
    );
    const c = Int32Array.from(req.candidates, (id, i) => lookup(id, `candidate_item_ids[${i}]`));
    const state =
      handed(req.userState, 'user_state', sasrec.userStateModel, D) ??
      (await sasrec.userEmbeddings([h]));
    const sasrecScores = [sasrec.scoreWithEmbedding(state, 0, c)];
    // The layout is the training one (features.ts); user -1 = not a dataset user
    // (no feature reads it) and target -1 = unknown (serving never sees one).
    const collaborative = collaborativeFeatures({
      set: {
        cases: [{ user: -1, history: h, target: -1 }],
        candidates: [{ items: c, targetIndex: 0 }],
      },
      fit,
      sasrecScores,
      scale: layout.sasrecStd,
      models,
    });
    let reason: Float32Array | undefined;
    let withCandidate: Float32Array[] = [];
    if (req.reason !== null && req.reason.trim() !== '') {
      reason =
        handed(req.reasonEmbedding, 'reason_embedding', encoder.rationaleModel, P) ??
        (await encoder.encodeRationales([req.reason]))[0];
      const table = o.itemBehaviours;
      if (table) withCandidate = Array.from(c, (k) => table[k]);
      else {
        // The reference path: E2 of each candidate's text, encoded per request.
        const events: HistoryEntry[] = req.history.map((e, i) => ({
          item: o.catalogue[h[i]],
          rating: e.rating,
          review: e.review,
        }));
        withCandidate = await encoder.encodeBehaviours(
          Array.from(c, (k) =>
            agreementText({
              agreement,
              history: events,
              candidate: o.catalogue[k],
              maxItems: layout.behaviourMaxItems,
            }),
          ),
        );
      }
    } else {
      withCandidate = Array.from(c, () => new Float32Array(P));
    }
    const [example] = scorerExamples({
      candidates: [{ items: c, targetIndex: 0 }],
      collaborative,
      withCandidate,
      reasons: reason ? [reason] : undefined,
      itemRows: (items) => {
        const rows = new Float32Array(items.length * D);
        for (let k = 0; k < items.length; k++) {
          rows.set(sasrec.itemEmbedding.subarray((items[k] + 1) * D, (items[k] + 2) * D), k * D);
        }
        return rows;
      },
    });
    const { features, items } = example;
    return { features, items, reason: reason ?? null };
  };
}

/**
 * E2 of every catalogue item's text alone (the `candidate` agreement's
 * vectors), in batches, so serving a request runs no E2 at all.
 */
export async function itemBehaviours(o: {
  catalogue: readonly Item[];
  encoder: ThoughtSpaceFeatures;
  maxItems: number;
}): Promise<Float32Array[]> {
  return o.encoder.encodeBehaviours(
    o.catalogue.map((candidate) =>
      agreementText({ agreement: 'candidate', history: [], candidate, maxItems: o.maxItems }),
    ),
  );
}

export interface ScoringDomain {
  readonly manifestHash: string;
  checkDataset(hash: string): void;
  /** One logit per candidate, request order; reason null scores without a reason. */
  score(req: ScoreInput): Promise<Float32Array>;
}

/**
 * The served scorer: the feature builder's inputs through scorer.onnx, in
 * blocks of the trained candidate count (each candidate's logit depends on
 * its own row and the reason only, so blocking and zero padding are exact).
 */
export function createScoringDomain(o: {
  manifest: ScorerManifest;
  runner: ModelRunner;
  build: FeatureBuilder;
}): ScoringDomain {
  const { manifest } = o;
  const { candidates: C, features: F, reasonDim: P, itemDim: D } = manifest.shape;
  return {
    manifestHash: manifest.dataset.manifestHash,
    checkDataset(hash) {
      if (hash && hash !== manifest.dataset.manifestHash) {
        throw new FailedPreconditionError(
          `meta.dataset_manifest_hash ${hash.slice(0, 12)} does not match the scorer's dataset ${manifest.dataset.name} (${manifest.dataset.manifestHash.slice(0, 12)})`,
        );
      }
    },
    async score(req) {
      const inputs = await o.build(req);
      const n = req.candidates.length;
      const blocks = Math.ceil(n / C);
      const features = new Float32Array(blocks * C * F);
      const items = new Float32Array(blocks * C * D);
      const reasons = new Float32Array(blocks * P);
      features.set(inputs.features);
      items.set(inputs.items);
      if (inputs.reason) for (let b = 0; b < blocks; b++) reasons.set(inputs.reason, b * P);
      const out = await o.runner.run({
        features: { dtype: 'float32', dims: [blocks, C, F], data: features },
        reason: { dtype: 'float32', dims: [blocks, P], data: reasons },
        items: { dtype: 'float32', dims: [blocks, C, D], data: items },
      });
      return (out.logits.data as Float32Array).slice(0, n);
    },
  };
}
