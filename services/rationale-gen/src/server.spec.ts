import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { Dataset, EvalCase } from '@thoughtspace/data';
import {
  HealthCheckResponse_ServingStatus,
  HealthClient,
  RationaleGenClient,
  RationaleKind,
  type GenerateRationaleRequest,
  type GenerateRationaleResponse,
  type StreamRationaleResponse,
} from '@thoughtspace/proto';
import { startServer } from '@thoughtspace/service-kit';
import { refinementDirections } from './domain/directions';
import { createRationaleService } from './domain/service';
import { createEmbeddedProvider } from './providers/embedded';
import { createServer, SERVICE_NAME } from './server';
import { loadCases } from './test-helpers';

describe('rationale-gen over gRPC loopback (all-beauty-2018-reviews catalogue)', () => {
  let ds: Dataset;
  let c: EvalCase;
  let client: RationaleGenClient;
  let health: HealthClient;
  let close: () => void;

  beforeAll(async () => {
    const loaded = await loadCases('all-beauty-2018-reviews');
    ds = loaded.dataset;
    c = loaded.cases.find((t) => t.history.length >= 4)!;
    const service = createRationaleService({
      providers: { embedded: createEmbeddedProvider() },
      defaultProvider: 'embedded',
      catalogue: new Map(ds.items.map((it) => [it.id, it])),
    });
    const built = createServer({ service });
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    built.health.setAllServing();
    client = new RationaleGenClient(`127.0.0.1:${port}`, credentials.createInsecure());
    health = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
    close = () => built.server.forceShutdown();
  });
  afterAll(() => {
    client?.close();
    health?.close();
    close?.();
  });

  const generate = (req: GenerateRationaleRequest) =>
    new Promise<GenerateRationaleResponse>((resolve, reject) =>
      client.generateRationale(req, (err, res) => (err ? reject(err) : resolve(res))),
    );
  const task = (over: Partial<NonNullable<GenerateRationaleRequest['task']>> = {}) => ({
    kind: RationaleKind.BASE,
    history: {
      userId: ds.userIds[c.user],
      interactions: Array.from(c.history, (idx, i) => ({
        itemId: ds.itemIds[idx],
        rating: ds.ratings?.[c.user][i],
        review: ds.reviews?.[c.user][i] ?? undefined,
      })),
    },
    similarUserItemIds: [],
    parentReasons: [] as string[],
    furtherLevels: [] as number[],
    n: 0,
    provider: '',
    maxTokens: 0,
    ...over,
  });

  it('reports SERVING on grpc.health.v1', async () => {
    const res = await new Promise<{ status: number }>((resolve, reject) =>
      health.check({ service: SERVICE_NAME }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it('GenerateRationale: a base reason with provider and model', async () => {
    const res = await generate({ task: task() });
    expect(res.rationales).toHaveLength(1);
    expect(res.rationales[0]).toMatchObject({
      provider: 'embedded',
      model: 'none',
      kind: RationaleKind.BASE,
    });
    expect(res.rationales[0].reason.length).toBeGreaterThan(20);
    expect(res.promptTokens).toBe(0);
  });

  it('GenerateRationale REFINE: n alternatives, one per refinement direction', async () => {
    const res = await generate({
      task: task({ kind: RationaleKind.REFINE, parentReason: 'They buy body wash.', n: 3 }),
    });
    const directions = refinementDirections(3, 1);
    expect(res.rationales.map((r) => r.reason.slice(0, 40))).toHaveLength(3);
    res.rationales.forEach((r, i) => expect(r.reason).toContain(`Refined for ${directions[i]}`));
  });

  it('GenerateRationale REFINE with a direction: that direction, free text too; refused where it cannot apply', async () => {
    const parentReason = 'They buy body wash.';
    const secondLevel = refinementDirections(3, 2, 4)[2];
    for (const direction of [secondLevel, 'what they pay per ounce']) {
      const res = await generate({
        task: task({ kind: RationaleKind.REFINE, parentReason, direction, n: 1 }),
      });
      expect(res.rationales).toHaveLength(1);
      // That direction, not the first level's (a lone REFINE without one gets brand loyalty).
      expect(res.rationales[0].reason).toContain(`Refined for ${direction}`);
    }
    const refused = (over: Parameters<typeof task>[0]) =>
      generate({ task: task(over) }).then(
        () => undefined,
        (err: ServiceError) => [err.code, err.details],
      );
    const refine = { kind: RationaleKind.REFINE, parentReason, direction: 'price' };
    expect(await refused({ ...refine, n: 3 })).toEqual([
      status.INVALID_ARGUMENT,
      'direction applies to one REFINE of one parent_reason with n 1, outside a tree; this task has n 3 (1 only)',
    ]);
    expect(await refused({ ...refine, treePosition: { level: 2, firstChild: 2 } })).toEqual([
      status.INVALID_ARGUMENT,
      'direction applies to one REFINE of one parent_reason with n 1, outside a tree; this task has tree_position',
    ]);
    expect(await refused({ kind: RationaleKind.BASE, direction: 'price' })).toEqual([
      status.INVALID_ARGUMENT,
      'direction applies to one REFINE of one parent_reason with n 1, outside a tree; this task has kind BASE (REFINE only), no parent_reason',
    ]);
    expect(await refused({ ...refine, direction: 'x'.repeat(500) })).toEqual([
      status.INVALID_ARGUMENT,
      'direction must be at most 120 characters, got 500',
    ]);
  });

  it('GenerateRationale REFINE with parent_reasons: a tree level in one call, each parent as if alone', async () => {
    const parents = ['They buy body wash.', 'They like one brand of shaver.'];
    const batched = await generate({
      task: task({ kind: RationaleKind.REFINE, parentReasons: parents, n: 3 }),
    });
    expect(batched.rationales).toHaveLength(6);
    for (const [p, parentReason] of parents.entries()) {
      const alone = await generate({
        task: task({ kind: RationaleKind.REFINE, parentReason, n: 3 }),
      });
      expect(batched.rationales.slice(p * 3, p * 3 + 3).map((r) => r.reason)).toEqual(
        alone.rationales.map((r) => r.reason),
      );
    }
    const refused = (over: Parameters<typeof task>[0]) =>
      generate({ task: task(over) }).then(
        () => undefined,
        (err: ServiceError) => [err.code, err.details],
      );
    expect(
      await refused({
        kind: RationaleKind.REFINE,
        parentReason: 'p',
        parentReasons: parents,
        n: 2,
      }),
    ).toEqual([status.INVALID_ARGUMENT, 'parent_reason and parent_reasons: set one, not both']);
    expect(await refused({ kind: RationaleKind.BASE, parentReasons: parents })).toEqual([
      status.INVALID_ARGUMENT,
      'parent_reasons apply to REFINE only, not BASE',
    ]);
    expect(
      await refused({ kind: RationaleKind.REFINE, parentReasons: Array(9).fill('p'), n: 8 }),
    ).toEqual([
      status.INVALID_ARGUMENT,
      'parent_reasons: 9 parents x n 8 exceeds the limit of 64 rationales per call',
    ]);
  });

  it('GenerateRationale REFINE with tree_position: each child argues from the direction of its place in the tree', async () => {
    const parents = ['They buy body wash.', 'They like one brand of shaver.'];
    const res = await generate({
      task: task({
        kind: RationaleKind.REFINE,
        parentReasons: parents,
        n: 3,
        treePosition: { level: 2, firstChild: 2 },
      }),
    });
    expect(res.rationales).toHaveLength(6);
    for (const p of [0, 1]) {
      const directions = refinementDirections(3, 2, 2 + p * 3);
      res.rationales
        .slice(p * 3, p * 3 + 3)
        .forEach((r, i) => expect(r.reason).toContain(`Refined for ${directions[i]}`));
    }
    // Six children, six directions: none repeats the first level's.
    const used = res.rationales.map((r) => /Refined for ([^(:]+)/.exec(r.reason)?.[1]);
    expect(new Set(used).size).toBe(6);
    await expect(
      generate({
        task: task({
          kind: RationaleKind.REFINE,
          parentReason: 'p',
          n: 2,
          treePosition: { level: 0, firstChild: 0 },
        }),
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'task.tree_position.level must be in [1, 16], got 0',
    });
  });

  it('GenerateRationale REFINE with further_levels: the whole tree in one call, as one call per level gives it', async () => {
    const base = 'They buy body wash.';
    // The base's two children, and with further_levels the rest of the tree below them.
    const belowBase = (furtherLevels: number[]) =>
      generate({
        task: task({
          kind: RationaleKind.REFINE,
          parentReasons: [base],
          n: 2,
          treePosition: { level: 1, firstChild: 0 },
          furtherLevels,
        }),
      });
    const tree = await belowBase([3]);
    const level1 = await belowBase([]);
    const level2 = await generate({
      task: task({
        kind: RationaleKind.REFINE,
        parentReasons: level1.rationales.map((r) => r.reason),
        n: 3,
        treePosition: { level: 2, firstChild: 2 },
      }),
    });
    expect(tree.rationales.map((r) => r.reason)).toEqual(
      [...level1.rationales, ...level2.rationales].map((r) => r.reason),
    );
    const refused = (over: Parameters<typeof task>[0]) =>
      generate({ task: task({ kind: RationaleKind.REFINE, parentReasons: [base], ...over }) }).then(
        () => undefined,
        (err: ServiceError) => [err.code, err.details],
      );
    expect(await refused({ n: 2, furtherLevels: [3] })).toEqual([
      status.INVALID_ARGUMENT,
      'further_levels apply to REFINE inside a tree (with tree_position) or to BASE with n 1',
    ]);
    const at = { level: 1, firstChild: 0 };
    expect(await refused({ n: 4, treePosition: at, furtherLevels: [4, 4] })).toEqual([
      status.INVALID_ARGUMENT,
      'further_levels: the tree has 84 rationales, more than the limit of 64 per call',
    ]);
    expect(await refused({ n: 2, treePosition: at, furtherLevels: [3, 0] })).toEqual([
      status.INVALID_ARGUMENT,
      'task.further_levels[1] must be in [1, 16], got 0',
    ]);
  });

  it('GenerateRationale BASE with further_levels: the base reason and its tree in one call, each level timed', async () => {
    const tree = await generate({ task: task({ furtherLevels: [2, 3] }) });
    const base = await generate({ task: task() });
    const below = await generate({
      task: task({
        kind: RationaleKind.REFINE,
        parentReasons: [base.rationales[0].reason],
        n: 2,
        treePosition: { level: 1, firstChild: 0 },
        furtherLevels: [3],
      }),
    });
    expect(tree.rationales.map((r) => [r.kind, r.reason])).toEqual(
      [...base.rationales, ...below.rationales].map((r) => [r.kind, r.reason]),
    );
    expect(tree.rationales.map((r) => r.kind)).toEqual([
      RationaleKind.BASE,
      ...Array(8).fill(RationaleKind.REFINE),
    ]);
    expect(tree.levelMs).toHaveLength(3);
    for (const ms of tree.levelMs) expect(ms).toBeGreaterThan(0);
    expect(base.levelMs).toEqual([]);
    await expect(generate({ task: task({ n: 2, furtherLevels: [2] }) })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details:
        'further_levels apply to REFINE inside a tree (with tree_position) or to BASE with n 1',
    });
  });

  it('INVALID_ARGUMENT for a base request with a target (leakage rule)', async () => {
    const err = (await generate({ task: task({ targetItemId: ds.itemIds[c.target] }) }).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^task\.target_item_id must not be set for BASE/);
  });

  it('INVALID_ARGUMENT for unknown ids, a missing task and a bad n', async () => {
    const bad = [
      { task: task({ history: { userId: 'u', interactions: [{ itemId: 'NOPE' }] } }) },
      {},
      { task: task({ n: 17 }) },
      { task: task({ kind: RationaleKind.UNSPECIFIED }) },
    ];
    const details = [];
    for (const req of bad) {
      const err = (await generate(req).catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      details.push(err.details);
    }
    expect(details).toEqual([
      'history.interactions[0].item_id: unknown item id "NOPE"',
      'task is required',
      'task.n must be in [1, 16], got 17',
      'task.kind must be POSITIVE, BASE or REFINE, got 0',
    ]);
  });

  it('StreamRationale: a text delta then the final rationale per alternative', async () => {
    const messages: StreamRationaleResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = client.streamRationale({
        task: task({ kind: RationaleKind.REFINE, parentReason: 'p', n: 2 }),
      });
      call.on('data', (m: StreamRationaleResponse) => messages.push(m));
      call.on('error', reject);
      call.on('end', resolve);
    });
    expect(messages.map((m) => [m.index, m.event?.$case])).toEqual([
      [0, 'textDelta'],
      [0, 'rationale'],
      [1, 'textDelta'],
      [1, 'rationale'],
    ]);
  });
});
