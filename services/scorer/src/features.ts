import { markovScorer, popularityScorer, type CandidateScorer } from '@thoughtspace/baselines';
import type { EvaluationSet, Item } from '@thoughtspace/data';
import { dot, InvalidArgumentError } from '@thoughtspace/runtime';
import { renderBehaviour, type HistoryEntry } from '@thoughtspace/text';
import type { ScorerExample } from './train';

/** Names of the collaborative features, in order, per candidate. */
export const COLLABORATIVE_FEATURES = [
  'sasrec_logit_centered',
  'log_popularity',
  'log_transitions',
] as const;

/**
 * The scorer's numeric feature layout per candidate: the collaborative
 * features, then the agreement of the selected reason (E1) with the history
 * rendered with that candidate (E2). Every candidate is rendered alike, so
 * the last feature never singles out the evaluated target.
 */
export const SCORER_FEATURES = [...COLLABORATIVE_FEATURES, 'reason_behaviour_agreement'] as const;

/**
 * What the last feature compares E1(reason) with: `history-candidate` (the
 * default, the method's definition) E2 of the history rendered with the
 * candidate, one E2 run per candidate per request; `candidate` E2 of the
 * candidate's text alone, which depends on the item only, so a server
 * encodes every item once at start-up and a request costs no E2 run.
 */
export type AgreementFeature = (typeof AGREEMENT_FEATURES)[number];
export const AGREEMENT_FEATURES = ['history-candidate', 'candidate'] as const;

/**
 * The main job's definition unless told otherwise (decision 0027): on
 * luxury-beauty-2018 it scored higher than history + candidate and serves
 * without a per-request E2 run.
 */
export const DEFAULT_AGREEMENT: AgreementFeature = 'candidate';

/** The last feature's name per definition, as model.json records it. */
const AGREEMENT_NAMES: Record<AgreementFeature, string> = {
  'history-candidate': 'reason_behaviour_agreement',
  candidate: 'reason_candidate_agreement',
};

/** The per-candidate feature names of a scorer trained with `agreement`. */
export function scorerFeatureNames(agreement: AgreementFeature = 'history-candidate'): string[] {
  return [...COLLABORATIVE_FEATURES, AGREEMENT_NAMES[agreement]];
}

/** The agreement definition a model.json's feature names record, or undefined if unknown. */
export function agreementOf(features: readonly string[]): AgreementFeature | undefined {
  return AGREEMENT_FEATURES.find((a) => scorerFeatureNames(a).join(',') === features.join(','));
}

/**
 * The E2 behaviour text whose vector the last feature compares with E1(reason)
 * for one candidate: the history rendered with the candidate, or the
 * candidate alone. Training and serving both call this.
 */
export function agreementText(o: {
  agreement: AgreementFeature;
  history: HistoryEntry[];
  candidate: Item;
  maxItems: number;
}): string {
  const history = o.agreement === 'candidate' ? [] : o.history;
  return renderBehaviour({ history, candidate: o.candidate }, { maxItems: o.maxItems });
}

/** The popularity and Markov counts behind two collaborative features. */
export interface CollaborativeModels {
  pop: CandidateScorer;
  markov: CandidateScorer;
}

/** Fit the count models once (a pass over every sequence of `fit`). */
export function collaborativeModels(fit: {
  sequences: Int32Array[];
  numItems: number;
}): CollaborativeModels {
  return { pop: popularityScorer(fit), markov: markovScorer(fit) };
}

/**
 * Collaborative features of every candidate of every case, from models fitted
 * on `fit` (the sequences visible for the split): SASRec logits (centred per
 * case, scaled by their pooled standard deviation), log(1 + item count),
 * log(1 + transitions from the last item). Returned case-major, [cases][C * 3].
 */
export function collaborativeFeatures(o: {
  set: Pick<EvaluationSet, 'cases' | 'candidates'>;
  fit: { sequences: Int32Array[]; numItems: number };
  sasrecScores: Float64Array[];
  /** Scale of the centred logits; default: pooled over these cases (sasrecScale). */
  scale?: number;
  /** The count models fitted on `fit` (collaborativeModels), when the caller keeps them across calls. */
  models?: CollaborativeModels;
}): Float32Array[] {
  const { pop, markov } = o.models ?? collaborativeModels(o.fit);
  const centred = o.sasrecScores.map((s) => {
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    return Float64Array.from(s, (x) => x - mean);
  });
  const std = o.scale ?? sasrecScale(o.sasrecScores);
  return o.set.cases.map((c, i) => {
    const items = o.set.candidates[i].items;
    const p = pop.score({ user: c.user, history: c.history, candidates: items });
    const m = markov.score({ user: c.user, history: c.history, candidates: items });
    const out = new Float32Array(items.length * 3);
    for (let k = 0; k < items.length; k++) {
      out[k * 3] = centred[i][k] / std;
      out[k * 3 + 1] = Math.log1p(p[k]);
      out[k * 3 + 2] = Math.log1p(Math.floor(m[k]));
    }
    return out;
  });
}

/**
 * The pooled standard deviation of per-case centred SASRec logits: the scale
 * of the first feature. A server scoring one case at a time uses the scale
 * of the set the scorer was trained on.
 */
export function sasrecScale(sasrecScores: readonly Float64Array[]): number {
  let sq = 0;
  let n = 0;
  for (const s of sasrecScores) {
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    for (const x of s) {
      sq += (x - mean) ** 2;
      n++;
    }
  }
  return Math.sqrt(sq / Math.max(1, n)) || 1;
}

/**
 * Scorer examples in the SCORER_FEATURES layout, one per case.
 * `withCandidate` holds E2(agreementText) for every candidate of every case,
 * case-major (E2(history + candidate) by default); `reasons` the E1 vector of each case's selected reason,
 * or undefined to score without a reason (agreement 0, reason null).
 */
export function scorerExamples(o: {
  candidates: readonly { items: ArrayLike<number>; targetIndex: number }[];
  collaborative: readonly Float32Array[];
  withCandidate: readonly Float32Array[];
  reasons?: readonly Float32Array[];
  /** Item vectors [items.length, itemDim] (candidate-gen's item rows). */
  itemRows: (items: ArrayLike<number>) => Float32Array;
}): ScorerExample[] {
  const F = SCORER_FEATURES.length;
  const C0 = COLLABORATIVE_FEATURES.length;
  const total = o.candidates.reduce((a, c) => a + c.items.length, 0);
  if (o.withCandidate.length !== total)
    throw new InvalidArgumentError(
      `withCandidate: ${o.withCandidate.length} vectors for ${total} candidates`,
    );
  if (o.reasons && o.reasons.length !== o.candidates.length)
    throw new InvalidArgumentError(`reasons: ${o.reasons.length} for ${o.candidates.length} cases`);
  let offset = 0;
  return o.candidates.map((cand, i) => {
    const C = cand.items.length;
    const features = new Float32Array(C * F);
    const reason = o.reasons ? o.reasons[i] : null;
    for (let k = 0; k < C; k++) {
      features.set(o.collaborative[i].subarray(k * C0, (k + 1) * C0), k * F);
      features[k * F + C0] = reason ? dot(reason, o.withCandidate[offset + k]) : 0;
    }
    offset += C;
    return { features, items: o.itemRows(cand.items), reason, label: cand.targetIndex };
  });
}
