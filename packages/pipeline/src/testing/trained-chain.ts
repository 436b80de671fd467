/**
 * Test fixture (specs only; excluded from the build and not exported from
 * index.ts): the chain on real models, trained for a few seconds on
 * all-beauty-2018 by the main job's own stages, behind the in-process
 * adapters. Shared by chain.spec.ts and adapters/kafka-stages.spec.ts.
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
  type EvaluationSet,
  type Prepared,
} from '@thoughtspace/data';
import { MemoSpace, type ThoughtSpace } from '@thoughtspace/encoder';
import { createProvider, type RationaleProvider } from '@thoughtspace/rationale-gen';
import { sasrecScale, type ScorerExample, type TrainedScorer } from '@thoughtspace/scorer';
import { thoughtSpaceAgreement } from '@thoughtspace/tot-selector';
import {
  inProcessCandidates,
  inProcessCatalogue,
  inProcessScorer,
  inProcessSelection,
} from '../adapters/in-process';
import { inProcessReasons, treeSource } from '../adapters/reasons';
import { phaseOneStage } from '../main-job/phase-one';
import { examplesFor, prepareSplit, trainVariant } from '../main-job/phase-two';
import type { PipelinePorts } from '../ports';

export const CHAIN_DATASET = 'all-beauty-2018';
const SEED = 3;

export interface TrainedChain {
  prepared: Prepared;
  /** The first 400 valid-split cases (1 + 9 sampled candidates) the scorer trained on. */
  valid: EvaluationSet;
  /** The scorer's training examples, one per `valid` case. */
  examples: ScorerExample[];
  model: SasrecModel;
  provider: RationaleProvider;
  space: ThoughtSpace;
  scorer: TrainedScorer;
  /** The in-process adapters over the models above. */
  ports: PipelinePorts;
  dispose(): Promise<void>;
}

/**
 * A small SASRec (saved and loaded as candidate-gen serves it), the embedded
 * provider, a Thought Space from phase one and a thought-space scorer from
 * phase two, wired as the pipeline's in-process ports.
 */
export async function trainChain(): Promise<TrainedChain> {
  const prepared = await prepareDataset({ dataset: CHAIN_DATASET });
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
      seed: SEED,
    }),
    validProtocol: protocol,
    silent: true,
  });
  const provider = await createProvider({ kind: 'embedded' });
  const reasons = inProcessReasons(provider);
  const phase = await phaseOneStage({
    dataset,
    loo,
    name: CHAIN_DATASET,
    reasons,
    provider: 'embedded',
    seed: SEED,
    encoderConfig: { epochs: 1 },
    silent: true,
    log: () => undefined,
  });
  const space = phase.space;
  const memo = new MemoSpace(space, space.config.outputDim, { silent: true });
  const sasrec = trainedSasrecIndex(trained);
  const valid = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'valid',
    protocol,
    seed: SEED,
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
  const examples = await examplesFor({
    prepared: preparedValid,
    variant: 'thought-space',
    dataset,
    sasrec,
    memo,
    seed: SEED,
    agreement: { 'thought-space': thoughtSpaceAgreement(memo) },
  });
  const scorer = await trainVariant({
    examples,
    shape: { candidates: 10, features: 4, reasonDim: memo.dim, itemDim: 16 },
    seed: SEED,
    config: { epochs: 2 },
    label: 'scorer',
    silent: true,
  });
  const pool = sequencesBefore(loo, 'valid');
  const caseStates = await sasrec.userStates(valid.cases.map((c) => c.history));
  const scale = sasrecScale(
    valid.cases.map((_, i) => sasrec.scores(caseStates, i, valid.candidates[i].items)),
  );

  const dir = await mkdtemp(join(tmpdir(), 'ts-pipeline-'));
  await saveSasrec(dir, trained, {
    datasetName: prepared.name,
    manifestHash: manifest.hash,
    itemIds: dataset.itemIds,
    userIds: dataset.userIds,
    userHistories: pool,
  });
  await trained.trainer.dispose();
  const model = await SasrecModel.load(dir, { threads: 1 });
  const domain = createCandidateDomain({ model });
  const catalogue = inProcessCatalogue(dataset.items);
  const ports: PipelinePorts = {
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
  return {
    prepared,
    valid,
    examples,
    model,
    provider,
    space,
    scorer,
    ports,
    async dispose() {
      await scorer.trainer.dispose();
      await space.dispose();
      await model.dispose();
      await provider.dispose();
    },
  };
}
