import type { CandidateDomain } from '@thoughtspace/candidate-gen';
import type { Item } from '@thoughtspace/data';
import type { TextEncoders } from '@thoughtspace/encoder';
import { refinementDirections } from '@thoughtspace/rationale-gen';
import { InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import {
  collaborativeFeatures,
  scoreExamples,
  scorerExamples,
  type TrainedScorer,
} from '@thoughtspace/scorer';
import { renderBehaviourText } from '@thoughtspace/text';
import {
  expandTree,
  selectReason,
  thoughtSpaceAgreement,
  type AgreementFn,
  type GenericSpace,
} from '@thoughtspace/tot-selector';
import type { CandidatePort, CataloguePort, ReasonPort, ScorerPort, SelectionPort } from '../ports';

/** candidate-gen's domain (a loaded SASRec) as the chain's CandidatePort. */
export function inProcessCandidates(domain: CandidateDomain): CandidatePort {
  return {
    async generateCandidates(req) {
      const items = await domain.generate({
        history: [...req.history],
        k: req.k,
        exclude: req.exclude ? [...req.exclude] : undefined,
      });
      return { items, model: domain.modelName };
    },
    scoreCandidates: (req) =>
      domain.score({ history: [...req.history], candidates: [...req.candidates] }),
    similarUsers: (req) =>
      domain.similarUsers({
        history: [...req.history],
        k: req.k,
        itemsPerUser: req.itemsPerUser,
        userId: req.userId,
      }),
  };
}

/** Item side information from an in-memory catalogue (a dataset's items). */
export function inProcessCatalogue(items: Iterable<Item>): CataloguePort {
  const byId = new Map<string, Item>();
  for (const it of items) byId.set(it.id, it);
  return {
    async items(req) {
      return req.itemIds.map((id, i) => {
        const item = byId.get(id);
        if (!item) throw new NotFoundError(`itemIds[${i}]: unknown item id "${id.slice(0, 64)}"`);
        return item;
      });
    },
  };
}

/**
 * tot-selector in-process: expansion through a ReasonPort with rationale-gen's
 * refinement directions, selection against the Thought Space (and the
 * generic space and the log-likelihood strategy when given).
 */
export function inProcessSelection(o: {
  reasons: ReasonPort;
  encoders: TextEncoders;
  generic?: GenericSpace;
  /** Mean token log-likelihood of the behaviour given a leaf (see likelihoodAgreement). */
  likelihood?: AgreementFn;
}): SelectionPort {
  const agreement: Partial<
    Record<'thought-space' | 'generic-semantic' | 'log-likelihood', AgreementFn>
  > = {
    'thought-space': thoughtSpaceAgreement(o.encoders),
  };
  if (o.generic) agreement['generic-semantic'] = o.generic.agreement;
  if (o.likelihood) agreement['log-likelihood'] = o.likelihood;
  return {
    async expand(req, opts) {
      const nodes = await expandTree({
        base: req.base,
        branching: req.branching,
        refine: async (parent, direction) =>
          (
            await o.reasons.refine(
              { history: req.history, parent, direction, similarItems: req.similarItems },
              opts,
            )
          ).reason,
        directions: refinementDirections,
      });
      return { nodes };
    },
    async select(req) {
      const s = await selectReason({
        strategy: req.strategy,
        nodes: req.nodes,
        behaviour: renderBehaviourText(req.history),
        seed: req.seed,
        agreement,
      });
      return {
        node: s.node,
        leafScores: s.leafScores ? Array.from(s.leafScores) : undefined,
      };
    },
  };
}

/**
 * The scorer in-process for one request: SASRec logits and item rows from
 * candidate-gen, popularity and transitions from `fit`, the reason's
 * agreement with the history rendered with each candidate (E1 . E2), in the
 * scorer's feature layout. `scale` is the SASRec logit scale of the set the
 * scorer was trained on (sasrecScale), since one request has no pool.
 */
export function inProcessScorer(o: {
  scorer: TrainedScorer;
  candidates: CandidateDomain;
  encoders: TextEncoders;
  /** Candidate text for E2 (history + candidate). */
  catalogue: CataloguePort;
  fit: { sequences: Int32Array[]; numItems: number };
  /** Item id -> index, as in the model and `fit`. */
  itemIndex: ReadonlyMap<string, number>;
  scale: number;
}): ScorerPort {
  const C = o.scorer.shape.candidates;
  return {
    async score(req, opts) {
      if (req.candidates.length !== C)
        throw new InvalidArgumentError(
          `candidates: the scorer was trained on ${C} candidates per request, got ${req.candidates.length}`,
        );
      const index = (id: string, field: string) => {
        const i = o.itemIndex.get(id);
        if (i === undefined)
          throw new NotFoundError(`${field}: unknown item id "${id.slice(0, 64)}"`);
        return i;
      };
      const history = Int32Array.from(req.history, (e, i) => index(e.item.id, `history[${i}]`));
      const items = Int32Array.from(req.candidates, (id, i) => index(id, `candidates[${i}]`));
      const logits = await o.candidates.score({
        history: req.history.map((e) => e.item.id),
        candidates: [...req.candidates],
      });
      const set = {
        cases: [{ user: -1, history, target: -1 }],
        candidates: [{ items, targetIndex: 0 }],
      };
      const collaborative = collaborativeFeatures({
        set,
        fit: o.fit,
        sasrecScores: [Float64Array.from(logits, (l) => l.score)],
        scale: o.scale,
      });
      const candidateItems = await o.catalogue.items({ itemIds: req.candidates }, opts);
      const withCandidate = await o.encoders.encodeBehaviours(
        candidateItems.map((item) => renderBehaviourText(req.history, item)),
      );
      const reasons = req.reason ? await o.encoders.encodeRationales([req.reason]) : undefined;
      const [example] = scorerExamples({
        candidates: set.candidates,
        collaborative,
        withCandidate,
        reasons,
        itemRows: () => concat(o.candidates.itemEmbeddings([...req.candidates])),
      });
      const [scores] = await scoreExamples(o.scorer, [example]);
      return req.candidates.map((itemId, k) => ({ itemId, score: scores[k] }));
    },
  };
}

function concat(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((a, r) => a + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
