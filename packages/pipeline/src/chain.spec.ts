/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCandidateDomain,
  saveSasrec,
  SasrecModel,
  trainedSasrecIndex,
  trainSasrec,
  validateConfig,
} from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
  type Prepared,
} from '@thoughtspace/data';
import { MemoSpace, type ThoughtSpace } from '@thoughtspace/encoder';
import { createProvider, type RationaleProvider } from '@thoughtspace/rationale-gen';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { sasrecScale, scoreExamples, type TrainedScorer } from '@thoughtspace/scorer';
import { historyEntries } from '@thoughtspace/text';
import { thoughtSpaceAgreement } from '@thoughtspace/tot-selector';
import {
  inProcessCandidates,
  inProcessCatalogue,
  inProcessScorer,
  inProcessSelection,
} from './adapters/in-process';
import { inProcessReasons, treeSource } from './adapters/reasons';
import { createPipeline, STAGES } from './chain';
import { phaseOneStage } from './main-job/phase-one';
import { examplesFor, prepareSplit, trainVariant } from './main-job/phase-two';
import type { PipelinePorts } from './ports';

// The chain through the in-process adapters on real data (all-beauty-2018):
// a small SASRec saved and loaded as candidate-gen serves it, the embedded
// provider writes reasons, a Thought Space and a scorer are trained by the
// main job's own stages.
describe('createPipeline with the in-process adapters', () => {
  let prepared: Prepared;
  let model: SasrecModel;
  let provider: RationaleProvider;
  let space: ThoughtSpace;
  let scorer: TrainedScorer;
  let ports: PipelinePorts;
  let batchLogits: Float32Array;
  let validCase: { user: number; history: Int32Array; candidates: Int32Array };

  beforeAll(async () => {
    prepared = await prepareDataset({ dataset: 'all-beauty-2018' });
    const { dataset, manifest } = prepared;
    const loo = leaveOneOut(dataset);
    const protocol = parseProtocol('sampled:9');
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config: validateConfig({
        maxLen: 20,
        hidden: 16,
        epochs: 2,
        evalEvery: 2,
        patience: 0,
        seed: 3,
      }),
      validProtocol: protocol,
      silent: true,
    });
    provider = await createProvider({ kind: 'embedded' });
    const reasons = inProcessReasons(provider);
    const log = () => undefined;
    const phase = await phaseOneStage({
      dataset,
      loo,
      name: 'all-beauty-2018',
      reasons,
      provider: 'embedded',
      seed: 3,
      encoderConfig: { epochs: 1 },
      silent: true,
      log,
    });
    space = phase.space;
    const memo = new MemoSpace(space, space.config.outputDim, { silent: true });
    const sasrec = trainedSasrecIndex(trained);
    const valid = buildEvaluationSet({
      dataset,
      datasetHash: manifest.hash,
      split: 'valid',
      protocol,
      seed: 3,
      loo,
    });
    valid.cases = valid.cases.slice(0, 400);
    valid.candidates = valid.candidates.slice(0, 400);
    const context = {
      dataset,
      loo,
      sasrec,
      source: treeSource(reasons),
      memo,
      branching: [2, 2],
      silent: true,
    };
    const preparedValid = await prepareSplit(context, valid, 'valid');
    const agreement = { 'thought-space': thoughtSpaceAgreement(memo) };
    const examples = await examplesFor({
      prepared: preparedValid,
      variant: 'thought-space',
      dataset,
      sasrec,
      memo,
      seed: 3,
      agreement,
    });
    scorer = await trainVariant({
      examples,
      shape: { candidates: 10, features: 4, reasonDim: memo.dim, itemDim: 16 },
      seed: 3,
      config: { epochs: 2 },
      label: 'scorer',
      silent: true,
    });
    const pool = sequencesBefore(loo, 'valid');
    const caseStates = await sasrec.userStates(valid.cases.map((c) => c.history));
    const scale = sasrecScale(
      valid.cases.map((_, i) => sasrec.scores(caseStates, i, valid.candidates[i].items)),
    );
    [batchLogits] = await scoreExamples(scorer, [examples[0]]);
    validCase = {
      user: valid.cases[0].user,
      history: valid.cases[0].history,
      candidates: valid.candidates[0].items,
    };

    const dir = await mkdtemp(join(tmpdir(), 'ts-pipeline-'));
    await saveSasrec(dir, trained, {
      datasetName: prepared.name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: pool,
    });
    await trained.trainer.dispose();
    model = await SasrecModel.load(dir, { threads: 1 });
    const domain = createCandidateDomain({ model });
    const catalogue = inProcessCatalogue(dataset.items);
    ports = {
      candidates: inProcessCandidates(domain),
      catalogue,
      reasons,
      selection: inProcessSelection({ reasons, encoders: memo }),
      scorer: inProcessScorer({
        scorer,
        candidates: domain,
        encoders: memo,
        catalogue,
        fit: { sequences: pool, numItems: dataset.items.length },
        itemIndex: new Map(dataset.itemIds.map((id, i) => [id, i])),
        scale,
      }),
    };
  });

  afterAll(async () => {
    await scorer?.trainer.dispose();
    await space?.dispose();
    await model?.dispose();
    await provider?.dispose();
  });

  const historyOf = (user: number, history: Int32Array) =>
    historyEntries(prepared.dataset, user, history);

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
