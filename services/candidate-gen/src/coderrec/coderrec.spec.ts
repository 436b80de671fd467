/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { join } from 'node:path';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  type Dataset,
  type LeaveOneOut,
} from '@thoughtspace/data';
import { exportInference, verifyExport } from '@thoughtspace/engine';
import { encodeCandidates, encodeHistories } from '../sasrec/batches';
import { validateCoderRecConfig } from './config';
import { buildCoderRec } from './graph';
import { averagedWordVectors, readGlove } from './item-vectors';
import { disposeCoderRec, evaluateCoderRec, trainCoderRec, type TrainedCoderRec } from './train';

const GLOVE = join(__dirname, '../../../../../shared/models/glove-6B-50d-10k/glove.6B.50d.10k.zip');

describe('CoderRec on all-beauty-2018', () => {
  let dataset: Dataset;
  let loo: LeaveOneOut;
  let hash: string;
  let trained: TrainedCoderRec;
  const config = validateCoderRecConfig({
    maxLen: 10,
    hidden: 16,
    blocks: 1,
    heads: 2,
    batch: 128,
    lr: 0.005,
    phase1Epochs: 3,
    phase2Epochs: 1,
    reasoningSteps: 2,
    seed: 2,
    rqvae: { levels: 2, codes: 16, hidden: 32, latent: 8, epochs: 3 },
  });

  beforeAll(async () => {
    const prepared = await prepareDataset({ dataset: 'all-beauty-2018' });
    dataset = prepared.dataset;
    hash = prepared.manifest.hash;
    loo = leaveOneOut(dataset);
    const vectors = averagedWordVectors(dataset.items, await readGlove(GLOVE));
    trained = await trainCoderRec({ dataset, loo, config, vectors, silent: true });
  });
  afterAll(() => disposeCoderRec(trained));

  it('trains phase 1 (rec + ID + alignment) and phase 2 (reasoning passes, learned mix)', () => {
    const l = trained.phase1.losses;
    expect(l[l.length - 1].rec).toBeLessThan(l[0].rec);
    expect(l[l.length - 1].id).toBeLessThan(l[0].id);
    expect(l.every((x) => Number.isFinite(x.total) && Number.isFinite(x.align))).toBe(true);
    // Phase 1 has no reasoned state in its mix; phase 2 mixes all three.
    expect(trained.phase1.mix[1]).toBeLessThan(1e-6);
    const mix2 = trained.phase2?.mix as number[];
    expect(mix2[1]).toBeGreaterThan(0.05);
    expect(mix2.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('ranks better than chance on validation (sampled:100)', async () => {
    const set = buildEvaluationSet({
      dataset,
      datasetHash: hash,
      split: 'valid',
      protocol: parseProtocol('sampled:100'),
      seed: 1,
      loo,
    });
    const run = await evaluateCoderRec(trained.phase2 ?? trained.phase1, config, set, {
      silent: true,
      resamples: 10,
    });
    // Chance HR@10 with 101 candidates is 10/101.
    expect(run.report.metrics['HR@10'].mean).toBeGreaterThan(0.15);
  });

  it.each(['phase1', 'phase2'] as const)('exports %s equal to the training graph', async (name) => {
    const phase = trained[name];
    if (!phase) throw new Error(`no ${name}`);
    const exported = buildCoderRec(config, trained.items, {
      reasoning: phase.reasoning,
      train: false,
    });
    const bytes = exportInference({
      outputs: { scores: exported.scores, user_embedding: exported.userEmbedding },
      parameters: phase.trainer.parameters,
    });
    const cases = loo.test.slice(0, 6);
    const feeds = {
      seq: encodeHistories(
        cases.map((x) => x.history),
        config.maxLen,
      ),
      candidates: encodeCandidates(cases.map((x) => [x.target, 0, 1, 2, 3])),
    };
    const reference = await phase.trainer.evaluate(feeds, {
      scores: phase.model.scores,
      user_embedding: phase.model.userEmbedding,
    });
    const worst = await verifyExport({ model: bytes, feeds, reference, tolerance: 1e-4 });
    expect(worst).toBeLessThan(1e-4);
  });
});
