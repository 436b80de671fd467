/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { scoreExamples } from '@thoughtspace/scorer';
import { historyEntries } from '@thoughtspace/text';
import { createPipeline, STAGES } from './chain';
import type { PipelinePorts } from './ports';
import { trainChain, type TrainedChain } from './testing/trained-chain';

// The chain through the in-process adapters on real data (all-beauty-2018):
// a small SASRec saved and loaded as candidate-gen serves it, the embedded
// provider writes reasons, a Thought Space and a scorer are trained by the
// main job's own stages (the shared fixture in testing/trained-chain.ts).
describe('createPipeline with the in-process adapters', () => {
  let chain: TrainedChain;
  let prepared: TrainedChain['prepared'];
  let ports: PipelinePorts;
  let batchLogits: Float32Array;
  let validCase: { user: number; history: Int32Array; candidates: Int32Array };

  beforeAll(async () => {
    chain = await trainChain();
    ({ prepared, ports } = chain);
    [batchLogits] = await scoreExamples(chain.scorer, [chain.examples[0]]);
    validCase = {
      user: chain.valid.cases[0].user,
      history: chain.valid.cases[0].history,
      candidates: chain.valid.candidates[0].items,
    };
  }, 300_000); // training the chain takes 1-2 min on a busy 2-core machine

  afterAll(async () => {
    await chain?.dispose();
  });

  const historyOf = (user: number, history: Int32Array) =>
    historyEntries(prepared.dataset, user, history);
  // The validation case as a Recommend request with a small tree.
  const caseRequest = () => ({
    history: historyOf(validCase.user, validCase.history),
    userId: prepared.dataset.userIds[validCase.user],
    k: 5,
    candidates: 10,
    branching: [2, 2],
  });

  it('ranks SASRec candidates with a selected reason, timing every stage', async () => {
    const pipeline = createPipeline({ ports });
    const history = historyOf(validCase.user, validCase.history);
    const res = await pipeline.recommend({
      history,
      userId: prepared.dataset.userIds[validCase.user],
      k: 5,
      candidates: 10,
      branching: [2, 2],
    });
    expect(res.degraded).toBeUndefined();
    expect(res.items).toHaveLength(5);
    const own = new Set(history.map((e) => e.item.id));
    for (const it of res.items) expect(own.has(it.itemId)).toBe(false);
    for (let i = 1; i < res.items.length; i++)
      expect(res.items[i - 1].score).toBeGreaterThanOrEqual(res.items[i].score);
    expect(res.reason).toMatchObject({ strategy: 'thought-space', provider: 'embedded' });
    expect(res.reason?.text.length).toBeGreaterThan(20);
    for (const s of STAGES) expect(res.timings[s]).toBeGreaterThanOrEqual(0);
  });

  it('the per-request scorer port gives the batch path logits for the same case', async () => {
    // The selected reason of the batch path for that case, through the ports.
    const history = historyOf(validCase.user, validCase.history);
    const ids = history.map((e) => e.item.id);
    const neighbours = await ports.candidates.similarUsers({
      history: ids,
      userId: prepared.dataset.userIds[validCase.user],
      k: 5,
      itemsPerUser: 2,
    });
    const own = new Set(ids);
    const similarIds = [
      ...new Set(neighbours.flatMap((n) => n.recentItemIds).filter((i) => !own.has(i))),
    ];
    const similarItems = await ports.catalogue.items({ itemIds: similarIds });
    const base = await ports.reasons.baseReason({ history, similarItems });
    // The refinements see the same neighbours' items as the base reason (as in the batch path).
    const { nodes } = await ports.selection.expand({
      history,
      base: base.reason,
      branching: [2, 2],
      similarItems,
    });
    const { node } = await ports.selection.select({
      nodes,
      history,
      strategy: 'thought-space',
      seed: '3',
    });
    const candidates = Array.from(validCase.candidates, (i) => prepared.dataset.itemIds[i]);
    const scored = await ports.scorer.score({ history, candidates, reason: node.reason });
    scored.forEach((s, k) => expect(s.score).toBeCloseTo(batchLogits[k], 3));
  });

  it('degrades to scoring without a reason when a reasoning stage fails, and says which', async () => {
    const failing: PipelinePorts = {
      ...ports,
      reasons: {
        ...ports.reasons,
        baseReason: async () => {
          throw new Error('rationale-gen: connection refused');
        },
      },
    };
    const res = await createPipeline({ ports: failing }).recommend({
      history: historyOf(validCase.user, validCase.history),
      k: 3,
      candidates: 10,
    });
    expect(res.degraded).toEqual({
      stage: 'base-reason',
      error: 'rationale-gen: connection refused',
    });
    expect(res.reason).toBeUndefined();
    expect(res.items).toHaveLength(3);
    expect(res.timings.expand).toBeUndefined();
  });

  it('writes the base reason, expands and selects in one call where the port offers it: same reason and ranking, the three stages timed', async () => {
    const request = caseRequest();
    const separate = await createPipeline({ ports }).recommend(request);
    const calls: string[] = [];
    const parts = { baseMs: -1, expandMs: -1 };
    const oneCall: PipelinePorts = {
      ...ports,
      reasons: {
        ...ports.reasons,
        baseReason: () => Promise.reject(new Error('baseReason must not be called')),
      },
      selection: {
        expand: () => Promise.reject(new Error('expand must not be called')),
        select: () => Promise.reject(new Error('select must not be called')),
        async reasonAndSelect(req, opts) {
          calls.push('reasonAndSelect');
          let started = performance.now();
          const base = await ports.reasons.baseReason(req, opts);
          parts.baseMs = performance.now() - started;
          started = performance.now();
          const { nodes } = await ports.selection.expand({ ...req, base: base.reason }, opts);
          parts.expandMs = performance.now() - started;
          const { node } = await ports.selection.select({ ...req, nodes }, opts);
          return { node, base, ...parts };
        },
      },
    };
    const res = await createPipeline({ ports: oneCall }).recommend(request);
    expect(calls).toEqual(['reasonAndSelect']);
    expect(res.degraded).toBeUndefined();
    expect(res.reason).toEqual(separate.reason);
    expect(res.items).toEqual(separate.items);
    expect(res.timings['base-reason']).toBe(parts.baseMs);
    expect(res.timings.expand).toBe(parts.expandMs);
    expect(res.timings.select).toBeGreaterThan(0);
  });

  it('asks for candidates and similar users in one call where the port offers it: same answer', async () => {
    const request = caseRequest();
    const twoCalls = await createPipeline({ ports }).recommend(request);
    const calls: string[] = [];
    const oneCall = (fail: boolean): PipelinePorts => ({
      ...ports,
      candidates: {
        ...ports.candidates,
        generateCandidates: () =>
          Promise.reject(new Error('generateCandidates must not be called')),
        similarUsers: () => Promise.reject(new Error('similarUsers must not be called')),
        async candidatesAndNeighbours(req, opts) {
          calls.push(`${req.k} ${req.neighbours.k} ${req.neighbours.userId}`);
          if (fail) throw new Error('candidate-gen: unavailable');
          const generated = await ports.candidates.generateCandidates(req, opts);
          const neighbours = await ports.candidates.similarUsers(
            { history: req.history, ...req.neighbours },
            opts,
          );
          return { ...generated, neighbours };
        },
      },
    });
    const res = await createPipeline({ ports: oneCall(false) }).recommend(request);
    expect(calls).toEqual([`10 5 ${request.userId}`]);
    expect(res.degraded).toBeUndefined();
    expect(res.reason).toEqual(twoCalls.reason);
    expect(res.items).toEqual(twoCalls.items);
    expect(res.timings['similar-users']).toBeGreaterThan(0);
    // The call carries the candidates: its failure fails the request, not just the reasoning.
    await expect(createPipeline({ ports: oneCall(true) }).recommend(request)).rejects.toThrow(
      'candidate-gen: unavailable',
    );
  });

  it("hands the candidate stage's user state and the selection's E1 to the scorer, no E1 when degraded", async () => {
    const request = caseRequest();
    const userState = { model: 'sasrec-user@test', values: Float32Array.of(1, 2) };
    const embedding = { model: 'thought-space-e1@test', values: Float32Array.of(3, 4) };
    const seen: Parameters<PipelinePorts['scorer']['score']>[0][] = [];
    const handing = (failSelect: boolean): PipelinePorts => ({
      ...ports,
      candidates: {
        ...ports.candidates,
        async generateCandidates(req, opts) {
          return { ...(await ports.candidates.generateCandidates(req, opts)), userState };
        },
      },
      selection: {
        ...ports.selection,
        async select(req, opts) {
          if (failSelect) throw new Error('tot-selector: deadline exceeded');
          return { ...(await ports.selection.select(req, opts)), embedding };
        },
      },
      scorer: {
        score(req, opts) {
          seen.push(req);
          return ports.scorer.score(req, opts);
        },
      },
    });
    const res = await createPipeline({ ports: handing(false) }).recommend(request);
    expect(res.reason).toBeDefined();
    expect(seen[0]).toMatchObject({
      reason: res.reason?.text,
      userState,
      reasonEmbedding: embedding,
    });
    const degraded = await createPipeline({ ports: handing(true) }).recommend(request);
    expect(degraded.degraded?.stage).toBe('select');
    expect(seen[1]).toMatchObject({ reason: null, userState });
    expect(seen[1].reasonEmbedding).toBeUndefined();
  });

  it('generates candidates while the reasoning runs, and still degrades when the reasoning fails', async () => {
    // Candidate generation finishes only after the base reason was asked for: a chain that
    // waited for its candidates before reasoning would never get there.
    let reasoningStarted!: () => void;
    const started = new Promise<void>((resolve) => (reasoningStarted = resolve));
    const interleaved: PipelinePorts = {
      ...ports,
      candidates: {
        ...ports.candidates,
        generateCandidates: async (req, opts) => {
          await started;
          return ports.candidates.generateCandidates(req, opts);
        },
      },
      reasons: {
        ...ports.reasons,
        baseReason: async () => {
          reasoningStarted();
          throw new Error('rationale-gen: deadline exceeded');
        },
      },
    };
    const res = await createPipeline({ ports: interleaved }).recommend({
      history: historyOf(validCase.user, validCase.history),
      k: 3,
      candidates: 10,
    });
    expect(res.degraded).toEqual({
      stage: 'base-reason',
      error: 'rationale-gen: deadline exceeded',
    });
    expect(res.items).toHaveLength(3);
  });

  it('rejects bad requests naming the field', async () => {
    const pipeline = createPipeline({ ports });
    const history = historyOf(validCase.user, validCase.history);
    await expect(pipeline.recommend({ history, k: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(pipeline.recommend({ history, k: 101 })).rejects.toThrow(
      /^k: must be between 1 and 100/,
    );
    await expect(pipeline.recommend({ history: [], k: 5 })).rejects.toThrow(/^history:/);
    await expect(ports.scorer.score({ history, candidates: ['x'], reason: null })).rejects.toThrow(
      /^candidates: the scorer was trained on 10/,
    );
  });
});
