/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { credentials, status } from '@grpc/grpc-js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaveOneOut, parseProtocol, prepareDataset, sequencesBefore } from '@thoughtspace/data';
import {
  CandidateGenClient,
  HealthClient,
  HealthCheckResponse_ServingStatus,
} from '@thoughtspace/proto';
import { startServer } from '@thoughtspace/service-kit';
import { unaryCall } from '../../../tests/grpc-helpers';
import { createCandidateDomain } from './domain/candidates';
import { saveSasrec } from './sasrec/artifact';
import { validateConfig } from './sasrec/config';
import { trainSasrec } from './sasrec/train';
import { createServer } from './server';
import { SasrecModel } from './serving/sasrec-model';

const call = unaryCall;

describe('candidate-gen over gRPC loopback (all-beauty-2018 model)', () => {
  let model: SasrecModel;
  let client: CandidateGenClient;
  let health: HealthClient;
  let close: () => void;
  let user0History: string[];
  let user0Id: string;
  let hash: string;

  beforeAll(async () => {
    const { dataset, manifest, name } = await prepareDataset({ dataset: 'all-beauty-2018' });
    hash = manifest.hash;
    const loo = leaveOneOut(dataset);
    const config = validateConfig({
      maxLen: 20,
      hidden: 16,
      epochs: 2,
      evalEvery: 2,
      patience: 0,
      seed: 5,
    });
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config,
      validProtocol: parseProtocol('sampled:9'),
      silent: true,
    });
    const dir = await mkdtemp(join(tmpdir(), 'ts-cg-'));
    const histories = sequencesBefore(loo, 'test');
    await saveSasrec(dir, trained, {
      datasetName: name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: histories,
    });
    await trained.trainer.dispose();
    user0Id = dataset.userIds[0];
    user0History = Array.from(histories[0], (i) => dataset.itemIds[i]);
    model = await SasrecModel.load(dir, { threads: 1 });
    const domain = createCandidateDomain({
      model,
      limits: { maxK: 100, maxHistory: 50, maxCandidates: 200 },
    });
    const built = createServer({ domain });
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    built.health.setAllServing();
    client = new CandidateGenClient(`127.0.0.1:${port}`, credentials.createInsecure());
    health = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
    close = () => built.server.forceShutdown();
  });
  afterAll(async () => {
    client?.close();
    health?.close();
    close?.();
    await model?.dispose();
  });

  const history = () => ({ userId: 'u', interactions: user0History.map((itemId) => ({ itemId })) });

  it('reports SERVING on grpc.health.v1', async () => {
    const res = await call(health.check, health, { service: 'thoughtspace.v1.CandidateGen' });
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it('GenerateCandidates: top-k over all items, history excluded, sorted by score', async () => {
    const res = await call(client.generateCandidates, client, {
      history: history(),
      k: 20,
      excludeItemIds: [],
      returnUserState: false,
      model: '',
    });
    const list = res.candidates?.candidates ?? [];
    expect(list).toHaveLength(20);
    for (const c of list) expect(user0History).not.toContain(c.itemId);
    for (let i = 1; i < list.length; i++)
      expect(list[i - 1].score).toBeGreaterThanOrEqual(list[i].score);
    expect(res.candidates?.model).toMatch(/^sasrec@/);
  });

  it('ScoreCandidates: one logit per requested id, equal to the in-process model', async () => {
    const ids = [model.manifest.itemIds[3], model.manifest.itemIds[7], model.manifest.itemIds[11]];
    const res = await call(client.scoreCandidates, client, {
      history: history(),
      candidateItemIds: ids,
      model: '',
    });
    const got = res.candidates?.candidates ?? [];
    expect(got.map((c) => c.itemId)).toEqual(ids);
    const idx = new Map(model.manifest.itemIds.map((id, i) => [id, i]));
    const [direct] = await model.scoreBatch(
      [Int32Array.from(user0History, (id) => idx.get(id) as number)],
      [Int32Array.from([3, 7, 11])],
    );
    got.forEach((c, i) => expect(c.score).toBeCloseTo(direct[i], 5));
  });

  it('SimilarUsers: a user is most similar to themself', async () => {
    const res = await call(client.similarUsers, client, {
      history: history(),
      k: 5,
      itemsPerUser: 0,
      model: '',
    });
    expect(res.users).toHaveLength(5);
    expect(res.users[0].userId).toBe(user0Id);
    expect(res.users[0].similarity).toBeCloseTo(1, 4);
    for (let i = 1; i < 5; i++)
      expect(res.users[i - 1].similarity).toBeGreaterThanOrEqual(res.users[i].similarity);
  });

  it('SimilarUsers: each neighbour with its items_per_user most recent indexed items, newest first', async () => {
    const res = await call(client.similarUsers, client, {
      history: history(),
      k: 4,
      itemsPerUser: 3,
      model: '',
    });
    expect(res.users).toHaveLength(4);
    const idx = new Map(model.manifest.userIds.map((id, u) => [id, u]));
    for (const u of res.users) {
      const indexed = model.userHistories?.[idx.get(u.userId) as number] as Int32Array;
      const expected = Array.from(indexed.slice(-3))
        .reverse()
        .map((i) => model.manifest.itemIds[i]);
      expect(u.recentItemIds).toEqual(expected);
    }
    // The user themself: their own indexed history, newest first.
    expect(res.users[0].recentItemIds).toEqual(user0History.slice(-3).reverse());
    const none = await call(client.similarUsers, client, {
      history: history(),
      k: 2,
      itemsPerUser: 0,
      model: '',
    });
    for (const u of none.users) expect(u.recentItemIds).toEqual([]);
  });

  it('SimilarUsers: history.user_id, when an indexed user, is not its own neighbour', async () => {
    const res = await call(client.similarUsers, client, {
      history: { ...history(), userId: user0Id },
      k: 5,
      itemsPerUser: 0,
      model: '',
    });
    expect(res.users).toHaveLength(5);
    expect(res.users.map((u) => u.userId)).not.toContain(user0Id);
  });

  it('SimilarUsers: k is 1..100 and items_per_user 0..50, as documented', async () => {
    const ok = await call(client.similarUsers, client, {
      history: history(),
      k: 100,
      itemsPerUser: 50,
      model: '',
    });
    expect(ok.users).toHaveLength(100);
    for (const [req, message] of [
      [{ k: 101, itemsPerUser: 0 }, /k: must be between 1 and 100, got 101/],
      [{ k: 0, itemsPerUser: 0 }, /k: must be between 1 and 100, got 0/],
      [{ k: 5, itemsPerUser: 51 }, /items_per_user: must be between 0 and 50, got 51/],
    ] as const) {
      await expect(
        call(client.similarUsers, client, { history: history(), model: '', ...req }),
      ).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(message),
      });
    }
  });

  it('GenerateCandidates with similar_users answers both, as the two separate calls do', async () => {
    const query = { history: { ...history(), userId: user0Id }, model: '' };
    const both = await call(client.generateCandidates, client, {
      ...query,
      k: 7,
      excludeItemIds: [],
      returnUserState: false,
      similarUsers: { k: 4, itemsPerUser: 2 },
    });
    const generated = await call(client.generateCandidates, client, {
      ...query,
      k: 7,
      excludeItemIds: [],
      returnUserState: false,
    });
    const similar = await call(client.similarUsers, client, { ...query, k: 4, itemsPerUser: 2 });
    expect(both.candidates).toEqual(generated.candidates);
    expect(both.similarUsers).toEqual(similar.users);
    expect(both.similarUsers).toHaveLength(4);
    expect(both.similarUsers.map((u) => u.userId)).not.toContain(user0Id);
    // Without the query, no neighbours.
    expect(generated.similarUsers).toEqual([]);
    await expect(
      call(client.generateCandidates, client, {
        ...query,
        k: 7,
        excludeItemIds: [],
        returnUserState: false,
        similarUsers: { k: 0, itemsPerUser: 2 },
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/similar_users\.k: must be between 1 and 100, got 0/),
    });
  });

  it('GenerateCandidates with return_user_state returns the state it ranked with, named by its user encoder', async () => {
    const req = { history: history(), k: 5, excludeItemIds: [], returnUserState: false, model: '' };
    const res = await call(client.generateCandidates, client, { ...req, returnUserState: true });
    const sha = model.manifest.sha256[model.manifest.files.userEncoder];
    expect(res.userState?.model).toBe(`sasrec-user@${sha.slice(0, 16)}`);
    // The same floats GetUserEmbedding and the in-process model give for this history.
    const own = await call(client.getUserEmbedding, client, { history: history() });
    expect(res.userState?.values).toEqual(own.embedding?.values);
    const index = new Map(model.manifest.itemIds.map((id, i) => [id, i]));
    const direct = await model.userEmbeddings([
      Int32Array.from(user0History, (id) => index.get(id)!),
    ]);
    expect(res.userState?.values).toEqual(Array.from(direct));
    // The candidates are those of a call without it; without the flag, no state.
    const plain = await call(client.generateCandidates, client, req);
    expect(res.candidates).toEqual(plain.candidates);
    expect(plain.userState).toBeUndefined();
  });

  it('an unknown model is INVALID_ARGUMENT, a known one not served here NOT_FOUND, both naming model', async () => {
    await expect(
      call(client.similarUsers, client, {
        history: history(),
        k: 5,
        itemsPerUser: 0,
        model: 'gpt',
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^model: unknown model "gpt"/),
    });
    await expect(
      call(client.generateCandidates, client, {
        history: history(),
        k: 5,
        excludeItemIds: [],
        returnUserState: false,
        model: 'coderrec',
      }),
    ).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: expect.stringMatching(/^model: "coderrec" is not loaded/),
    });
    await expect(
      call(client.scoreCandidates, client, {
        history: history(),
        candidateItemIds: [user0History[0]],
        model: 'nope',
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^model:/),
    });
    const named = await call(client.similarUsers, client, {
      history: history(),
      k: 1,
      itemsPerUser: 0,
      model: 'sasrec',
    });
    expect(named.users).toHaveLength(1);
  });

  it('item and user embeddings have the model dimension', async () => {
    const items = await call(client.getItemEmbeddings, client, {
      itemIds: [model.manifest.itemIds[0]],
    });
    expect(items.dim).toBe(16);
    expect(items.embeddings[0].embedding?.values).toHaveLength(16);
    const user = await call(client.getUserEmbedding, client, { history: history() });
    expect(user.embedding?.values).toHaveLength(16);
  });

  it('rejects invalid requests with INVALID_ARGUMENT naming the field', async () => {
    const cases: [Promise<unknown>, RegExp][] = [
      [
        call(client.generateCandidates, client, {
          history: { userId: 'u', interactions: [{ itemId: 'no-such-item' }] },
          k: 5,
          excludeItemIds: [],
          returnUserState: false,
          model: '',
        }),
        /history\[0\]: unknown item id "no-such-item"/,
      ],
      [
        call(client.generateCandidates, client, {
          history: { userId: 'u', interactions: [] },
          k: 5,
          excludeItemIds: [],
          returnUserState: false,
          model: '',
        }),
        /history: must contain at least one/,
      ],
      [
        call(client.generateCandidates, client, {
          history: history(),
          k: 0,
          excludeItemIds: [],
          returnUserState: false,
          model: '',
        }),
        /k: must be between 1 and 100/,
      ],
      [
        call(client.generateCandidates, client, {
          history: history(),
          k: 101,
          excludeItemIds: [],
          returnUserState: false,
          model: '',
        }),
        /k: must be between 1 and 100/,
      ],
      [
        call(client.generateCandidates, client, {
          k: 5,
          excludeItemIds: [],
          returnUserState: false,
          model: '',
        } as never),
        /history is required/,
      ],
      [
        call(client.scoreCandidates, client, {
          history: {
            userId: 'u',
            interactions: Array.from({ length: 51 }, () => ({ itemId: user0History[0] })),
          },
          candidateItemIds: [user0History[0]],
          model: '',
        }),
        /history: 51 items exceeds the limit of 50/,
      ],
      [
        call(client.scoreCandidates, client, {
          history: history(),
          candidateItemIds: Array(201).fill(user0History[0]),
          model: '',
        }),
        /candidate_item_ids: 201 items exceeds the limit of 200/,
      ],
    ];
    for (const [p, message] of cases) {
      await expect(p).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(message),
      });
    }
  });

  it('refuses requests about another dataset with FAILED_PRECONDITION', async () => {
    await expect(
      call(client.generateCandidates, client, {
        meta: { requestId: 'r1', datasetManifestHash: 'ffff' + hash.slice(4) },
        history: history(),
        k: 5,
        excludeItemIds: [],
        returnUserState: false,
        model: '',
      }),
    ).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    const ok = await call(client.generateCandidates, client, {
      meta: { requestId: 'r2', datasetManifestHash: hash },
      history: history(),
      k: 5,
      excludeItemIds: [],
      returnUserState: false,
      model: '',
    });
    expect(ok.candidates?.candidates).toHaveLength(5);
  });

  it('honours deadlines', async () => {
    await expect(
      call(
        client.generateCandidates,
        client,
        { history: history(), k: 5, excludeItemIds: [], returnUserState: false, model: '' },
        Date.now() - 1,
      ),
    ).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
  });

  it('rejects oversized messages at the transport (RESOURCE_EXHAUSTED)', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    await expect(call(client.getItemEmbeddings, client, { itemIds: [huge] })).rejects.toMatchObject(
      { code: status.RESOURCE_EXHAUSTED },
    );
  });
});
