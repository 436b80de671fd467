/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { credentials } from '@grpc/grpc-js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  type Dataset,
  sequencesBefore,
  type LeaveOneOut,
} from '@thoughtspace/data';
import { CandidateGenClient } from '@thoughtspace/proto';
import { startServer } from '@thoughtspace/service-kit';
import { unaryCall } from '../../../../tests/grpc-helpers';
import { createCandidateDomain } from '../domain/candidates';
import { createServer } from '../server';
import { SasrecModel } from '../serving/sasrec-model';
import { saveCoderRec } from './artifact';
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

  it('is served by candidate-gen over gRPC with the variant in the manifest and the model field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-coderrec-'));
    const histories = sequencesBefore(loo, 'test');
    const manifest = await saveCoderRec(dir, trained, {
      phase: 'phase2',
      datasetName: 'all-beauty-2018',
      manifestHash: hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: histories,
    });
    expect(manifest.variant).toBe('coderrec-phase2');
    const model = await SasrecModel.load(dir, { threads: 1 });
    const built = createServer({ domain: createCandidateDomain({ model }) });
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    const client = new CandidateGenClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      const h = Array.from(histories[0], (i) => dataset.itemIds[i]);
      const history = { userId: 'u', interactions: h.map((itemId) => ({ itemId })) };
      const gen = await unaryCall(client.generateCandidates, client, {
        history,
        k: 10,
        excludeItemIds: [],
        returnUserState: false,
        model: '',
      });
      expect(gen.candidates?.model).toMatch(/^coderrec-phase2@/);
      expect(gen.candidates?.candidates).toHaveLength(10);
      const ids = [3, 7, 11].map((i) => dataset.itemIds[i]);
      const scored = await unaryCall(client.scoreCandidates, client, {
        history,
        candidateItemIds: ids,
        model: '',
      });
      const reference = await (
        trained.phase2 as NonNullable<TrainedCoderRec['phase2']>
      ).trainer.evaluate(
        {
          seq: encodeHistories([histories[0]], config.maxLen),
          candidates: encodeCandidates([[3, 7, 11]]),
        },
        { scores: (trained.phase2 as NonNullable<TrainedCoderRec['phase2']>).model.scores },
      );
      (scored.candidates?.candidates ?? []).forEach((c, i) =>
        expect(c.score).toBeCloseTo(Number(reference.scores.data[i]), 4),
      );
    } finally {
      client.close();
      built.server.forceShutdown();
      await model.dispose();
    }
  });
});
