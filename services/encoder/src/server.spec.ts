/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { credentials, status } from '@grpc/grpc-js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaveOneOut, prepareDataset } from '@thoughtspace/data';
import {
  EncoderClient,
  HealthClient,
  HealthCheckResponse_ServingStatus,
} from '@thoughtspace/proto';
import { startServer } from '@thoughtspace/service-kit';
import { unaryCall } from '../../../tests/grpc-helpers';
import { createEncoderDomain } from './domain/encoder';
import { buildPairs } from './experiment/pairs';
import { createServer } from './server';
import { ThoughtSpaceModel } from './serving/thought-space-model';
import { saveThoughtSpace } from './thought-space/artifact';
import { trainThoughtSpace } from './thought-space/train';

const call = unaryCall;

describe('encoder over gRPC loopback (luxury-beauty-2018 model)', () => {
  let model: ThoughtSpaceModel;
  let client: EncoderClient;
  let health: HealthClient;
  let close: () => void;
  let history: string[];
  let rationale: string;
  let hash: string;

  beforeAll(async () => {
    const { dataset, manifest, name } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
    hash = manifest.hash;
    const loo = leaveOneOut(dataset);
    // A tiny model: this file tests the transport, thought-space.spec.ts the learning.
    const pairs = buildPairs(dataset, loo).slice(0, 440);
    const space = await trainThoughtSpace({
      pairs,
      config: {
        dim: 16,
        embeddingDim: 16,
        outputDim: 16,
        heads: 2,
        rationaleTokens: 16,
        behaviourTokens: 16,
        epochs: 1,
        groupsPerStep: 4,
      },
      silent: true,
    });
    const dir = await mkdtemp(join(tmpdir(), 'ts-encoder-grpc-'));
    await saveThoughtSpace(dir, space, {
      datasetName: name,
      manifestHash: hash,
      catalogue: dataset.items.map((it, i) => ({ id: dataset.itemIds[i], title: it.title ?? '' })),
    });
    await space.dispose();
    const user = loo.train.findIndex((s) => s.length >= 3);
    history = Array.from(loo.train[user], (i) => dataset.itemIds[i]);
    rationale = pairs[0].rationale;
    model = await ThoughtSpaceModel.load(dir, { threads: 1 });
    const built = createServer({
      domain: createEncoderDomain({ model, limits: { maxTexts: 8, maxTextChars: 2000 } }),
    });
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    built.health.setAllServing();
    client = new EncoderClient(`127.0.0.1:${port}`, credentials.createInsecure());
    health = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
    close = () => built.server.forceShutdown();
  });
  afterAll(async () => {
    client?.close();
    health?.close();
    close?.();
    await model?.dispose();
  });

  const behaviour = (itemId?: string) => ({
    history: { userId: 'u', interactions: history.map((id) => ({ itemId: id })) },
    itemId,
  });

  it('reports SERVING on grpc.health.v1', async () => {
    const res = await call(health.check, health, { service: 'thoughtspace.v1.Encoder' });
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it('EncodeRationales returns unit vectors equal to the in-process model', async () => {
    const res = await call(client.encodeRationales, client, {
      meta: { requestId: 'r1', datasetManifestHash: hash },
      texts: [rationale, 'dry shampoo for fine hair'],
    });
    expect(res.dim).toBe(16);
    expect(res.encoder).toMatch(/^thought-space@[0-9a-f]{12}$/);
    const direct = await model.encodeRationales([rationale, 'dry shampoo for fine hair']);
    res.embeddings.forEach((e, i) => {
      expect(Math.hypot(...e.values)).toBeCloseTo(1, 5);
      e.values.forEach((v, j) => expect(v).toBeCloseTo(direct[i][j], 6));
    });
  });

  it('EncodeBehaviours renders item-id histories with the catalogue; Agreement is their cosine', async () => {
    const enc = await call(client.encodeBehaviours, client, {
      meta: undefined,
      behaviours: [behaviour(), behaviour(history[0])],
    });
    expect(enc.embeddings).toHaveLength(2);
    expect(enc.embeddings[0].values).not.toEqual(enc.embeddings[1].values);
    const r = await call(client.encodeRationales, client, { meta: undefined, texts: [rationale] });
    const agree = await call(client.agreement, client, {
      meta: undefined,
      rationales: [rationale, rationale],
      behaviour: behaviour(),
    });
    const dot = r.embeddings[0].values.reduce((s, v, j) => s + v * enc.embeddings[0].values[j], 0);
    expect(agree.cosines).toHaveLength(2);
    expect(agree.cosines[0]).toBeCloseTo(dot, 5);
    expect(agree.cosines[1]).toBe(agree.cosines[0]);
  });

  it.each([
    ['no texts', { texts: [] }, /texts: must contain at least one element/],
    ['an empty text', { texts: ['ok', '  '] }, /texts\[1\]: is empty/],
    ['too many texts', { texts: Array(9).fill('a') }, /9 elements exceeds the limit of 8/],
    [
      'an oversized text',
      { texts: ['a'.repeat(2001)] },
      /2001 characters exceeds the limit of 2000/,
    ],
  ])('EncodeRationales: INVALID_ARGUMENT for %s', async (_name, req, message) => {
    await expect(
      call(client.encodeRationales, client, { meta: undefined, ...req }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(message),
    });
  });

  it('INVALID_ARGUMENT for an empty history, an unknown item or a missing behaviour', async () => {
    const empty = { history: { userId: 'u', interactions: [] }, itemId: undefined };
    await expect(
      call(client.encodeBehaviours, client, { meta: undefined, behaviours: [empty] }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/behaviours\[0\].history/),
    });
    await expect(
      call(client.encodeBehaviours, client, {
        meta: undefined,
        behaviours: [behaviour('no-such-item')],
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/item_id: unknown item/),
    });
    await expect(
      call(client.agreement, client, { meta: undefined, rationales: ['x'], behaviour: undefined }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('FAILED_PRECONDITION for another dataset', async () => {
    await expect(
      call(client.encodeRationales, client, {
        meta: { requestId: 'x', datasetManifestHash: 'abc' },
        texts: ['x'],
      }),
    ).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
  });

  it('a prefetched behaviour is encoded once, with the agreement computed without it', async () => {
    const domain = createEncoderDomain({ model });
    const reference = await model.agreements([rationale], model.renderBehaviour(history));
    const e2 = jest.spyOn(model, 'encodeBehaviours');
    try {
      domain.prefetchBehaviour({ history });
      expect(await domain.agreement({ rationales: [rationale], behaviour: { history } })).toEqual(
        reference,
      );
      expect(e2).toHaveBeenCalledTimes(1);
      // The same history again (a second Select for the user) runs no E2 either.
      const pair = await model.agreements([rationale, rationale], model.renderBehaviour(history));
      e2.mockClear();
      expect(
        await domain.agreement({ rationales: [rationale, rationale], behaviour: { history } }),
      ).toEqual(pair);
      expect(e2).toHaveBeenCalledTimes(0);
      // A behaviour that cannot be rendered: the prefetch is silent, the agreement names the field.
      expect(() => domain.prefetchBehaviour({ history: ['no-such-item'] })).not.toThrow();
      await expect(
        domain.agreement({ rationales: [rationale], behaviour: { history: ['no-such-item'] } }),
      ).rejects.toThrow('behaviour.history.interactions[0].item_id');
    } finally {
      e2.mockRestore();
    }
  });

  it('a failed E2 run is not kept: the next agreement runs it again', async () => {
    const domain = createEncoderDomain({ model });
    const e2 = jest.spyOn(model, 'encodeBehaviours');
    try {
      e2.mockRejectedValueOnce(new Error('onnxruntime failed'));
      domain.prefetchBehaviour({ history });
      await expect(
        domain.agreement({ rationales: [rationale], behaviour: { history } }),
      ).rejects.toThrow('onnxruntime failed');
      const again = await domain.agreement({ rationales: [rationale], behaviour: { history } });
      expect(again).toEqual(await model.agreements([rationale], model.renderBehaviour(history)));
      expect(e2).toHaveBeenCalledTimes(3);
    } finally {
      e2.mockRestore();
    }
  });

  it('E1 of a rationale an agreement scored is handed out without a second run', async () => {
    const domain = createEncoderDomain({ model });
    const other = `${rationale} and more`;
    const batch = await model.encodeRationales([rationale, other]);
    await domain.agreement({ rationales: [rationale, other], behaviour: { history } });
    const e1 = jest.spyOn(model, 'encodeRationales');
    try {
      // The vector the agreement computed, from its batch: no run.
      expect(Array.from(await domain.rationaleVector(other))).toEqual(Array.from(batch[1]));
      expect(e1).toHaveBeenCalledTimes(0);
      // A text no agreement saw is encoded now; a failed run is not kept.
      const fresh = `${rationale} unseen`;
      e1.mockRejectedValueOnce(new Error('onnxruntime failed'));
      await expect(domain.rationaleVector(fresh)).rejects.toThrow('onnxruntime failed');
      const [alone] = await model.encodeRationales([fresh]);
      expect(Array.from(await domain.rationaleVector(fresh))).toEqual(Array.from(alone));
      await expect(domain.rationaleVector(' ')).rejects.toThrow('rationale[0]: is empty');
    } finally {
      e1.mockRestore();
    }
    const sha = model.manifest.sha256[model.manifest.files.rationaleEncoder];
    expect(domain.rationaleModel).toBe(`thought-space-e1@${sha.slice(0, 16)}`);
  });
});
