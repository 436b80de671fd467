/**
 * Recommend through the real servers on loopback: the seven gRPC servers of
 * a tiny all-beauty-2018 bundle, one trace per call, a degraded answer when
 * a reasoning service dies or is too slow, UNAVAILABLE naming a dead scorer.
 */
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { cp, mkdtemp, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  createCatalogue,
  createGrpcPorts,
  createRecommender,
  createServer as gatewayServer,
} from '@thoughtspace/gateway';
import { createCandidateDomain, SasrecModel } from '@thoughtspace/candidate-gen';
import { ThoughtSpaceModel } from '@thoughtspace/encoder';
import {
  inProcessCandidates,
  inProcessCatalogue,
  inProcessReasons,
  inProcessSelection,
  readServingBundle,
  reasonForHistory,
} from '@thoughtspace/pipeline';
import {
  ExpandRequest,
  GatewayClient,
  RationaleKind,
  RecommendRequest,
  ScorerClient,
  ScoreRequest,
  SelectionStrategy,
  SelectRequest,
  TotSelectorClient,
  type RecommendResponse,
} from '@thoughtspace/proto';
import { createProvider, refinementDirections } from '@thoughtspace/rationale-gen';
import { loadServedScorer } from '@thoughtspace/scorer';
import {
  createLogger,
  setupTelemetry,
  startServer,
  type RpcMetrics,
  type Telemetry,
} from '@thoughtspace/service-kit';
import { unaryCall } from './grpc-helpers';
import {
  startStack,
  STACK_DATASET,
  trainTinyBundle,
  type Stack,
  type StackService,
  type TrainedBundle,
} from './serving-stack';

const STAGES = ['candidates', 'similar-users', 'base-reason', 'expand', 'select', 'score'];

/** A counter's value for one label set, as /metrics serves it (0 before its first count). */
async function counted(metrics: RpcMetrics, name: string, label: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('gateway Recommend over the seven servers (all-beauty-2018, tiny models)', () => {
  let exporter: InMemorySpanExporter;
  let telemetry: Telemetry;
  let bundle: TrainedBundle;
  let stack: Stack;
  let client: GatewayClient;
  const logs: { service: StackService; line: { trace_id?: string; span_id?: string } }[] = [];

  /** The gateway's gRPC ports against the stack's services. */
  const stackPorts = () =>
    createGrpcPorts({
      addresses: {
        candidateGen: stack.addresses['candidate-gen'],
        rationaleGen: stack.addresses['rationale-gen'],
        totSelector: stack.addresses['tot-selector'],
        scorer: stack.addresses.scorer,
      },
      credentials: credentials.createInsecure(),
    });
  const recommend = (req: Parameters<typeof RecommendRequest.fromPartial>[0], timeoutMs = 20_000) =>
    unaryCall(client.recommend, client, RecommendRequest.fromPartial(req), Date.now() + timeoutMs);
  const forUser = (i: number, k = 5) => ({
    subject: {
      $case: 'history' as const,
      value: {
        userId: bundle.users[i].userId,
        interactions: bundle.users[i].history.map((itemId) => ({ itemId })),
      },
    },
    k,
  });

  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    telemetry = setupTelemetry({ serviceName: 'stack-test', exporter, simple: true });
    bundle = await trainTinyBundle();
    // A generous reasoning budget: this suite checks answers, not latency (the machine may be busy).
    stack = await startStack(bundle, {
      budgets: { reasoningMs: 15_000 },
      // Every service logs JSON lines at debug (its access log included) into `logs`.
      logger: (service) =>
        createLogger({
          level: 'debug',
          namespace: service,
          stream: { write: (line: string) => logs.push({ service, line: JSON.parse(line) }) },
        }),
    });
    client = new GatewayClient(stack.addresses.gateway, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await stack?.close();
    await telemetry?.shutdown();
  });

  it('ranks items with a selected rationale and per-stage timings', async () => {
    const res = await recommend(forUser(0));
    expect({ degraded: res.degraded, reason: res.degradedReason }).toEqual({
      degraded: false,
      reason: '',
    });
    expect(res.items).toHaveLength(5);
    const scores = res.items.map((i) => i.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(new Set(res.items.map((i) => i.itemId)).size).toBe(5);
    for (const item of res.items) {
      expect(bundle.users[0].history).not.toContain(item.itemId);
      expect(item.item?.id).toBe(item.itemId);
    }
    expect(res.rationale?.reason.length).toBeGreaterThan(20);
    expect(res.rationale?.provider).toBe('embedded');
    expect(res.strategy).toBe(SelectionStrategy.THOUGHT_SPACE);
    expect(res.timings.map((t) => t.stage)).toEqual(STAGES);
    for (const t of res.timings) expect(t.durationMs).toBeGreaterThan(0);
    expect(res.datasetManifestHash).toBe(bundle.manifestHash);
  });

  it("joins every service's log lines of one Recommend to its trace", async () => {
    await telemetry.forceFlush();
    exporter.reset();
    logs.length = 0;
    await recommend(forUser(2));
    await telemetry.forceFlush();
    const root = exporter
      .getFinishedSpans()
      .find((s) => s.name === 'thoughtspace.v1.Gateway/Recommend' && s.kind === SpanKind.SERVER)!;
    const traceId = root.spanContext().traceId;
    const spanIds = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().spanId));
    const inTrace = logs.filter((l) => l.line.trace_id === traceId);
    // The five services the chain calls each wrote lines carrying the trace id, from its own
    // spans (the Thought Space runs inside tot-selector).
    expect([...new Set(inTrace.map((l) => l.service))].sort()).toEqual(
      ['candidate-gen', 'gateway', 'rationale-gen', 'scorer', 'tot-selector'].sort(),
    );
    for (const l of inTrace) expect(spanIds.has(l.line.span_id ?? '')).toBe(true);
    // Nothing from this call was logged outside its trace.
    expect(logs.filter((l) => l.line.trace_id && l.line.trace_id !== traceId)).toEqual([]);
  });

  it('produces one trace: gateway server span, a client span per downstream call, their server spans', async () => {
    await telemetry.forceFlush();
    exporter.reset();
    await recommend(forUser(1));
    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    const roots = spans.filter(
      (s) => s.name === 'thoughtspace.v1.Gateway/Recommend' && s.kind === SpanKind.SERVER,
    );
    expect(roots).toHaveLength(1);
    const root = roots[0];
    const trace = spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
    expect(trace.length).toBe(spans.length);
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    const children = (p: ReadableSpan, kind?: SpanKind) =>
      trace.filter(
        (s) => parentOf(s) === p.spanContext().spanId && (kind === undefined || s.kind === kind),
      );
    // Candidates and similar users come in one GenerateCandidates call; the base reason is
    // written, the tree grown and selected in one Select call.
    expect(
      children(root, SpanKind.CLIENT)
        .map((s) => s.name)
        .sort(),
    ).toEqual([
      'thoughtspace.v1.CandidateGen/GenerateCandidates',
      'thoughtspace.v1.Scorer/Score',
      'thoughtspace.v1.TotSelector/Select',
    ]);
    for (const c of children(root, SpanKind.CLIENT)) {
      const servers = children(c, SpanKind.SERVER);
      expect(servers.map((s) => s.name)).toEqual([c.name]);
      expect(c.attributes['peer.service']).toBeDefined();
    }
    const selectServer = children(
      children(root, SpanKind.CLIENT).find((s) => s.name.endsWith('/Select'))!,
      SpanKind.SERVER,
    )[0];
    // One BASE call writes the base reason and the whole tree (further_levels); the
    // Thought-Space agreement of the leaves runs in tot-selector's process.
    expect(children(selectServer, SpanKind.CLIENT).map((s) => s.name)).toEqual([
      'thoughtspace.v1.RationaleGen/GenerateRationale',
    ]);
    // Model runs are spans under the server span that ran them: model name and batch size.
    const modelRuns = (serverName: string) => {
      const server = trace.find((s) => s.name === serverName && s.kind === SpanKind.SERVER)!;
      return children(server)
        .filter((s) => s.name === 'onnxruntime.run')
        .map((s) => [s.attributes['thoughtspace.model'], s.attributes['thoughtspace.batch_size']]);
    };
    // The scorer runs no SASRec and no E1: the user state comes from candidate-gen and E1 of
    // the selected reason from tot-selector (both name the files the scorer loaded). It runs
    // its own model, and E2 of history + candidate (this bundle's history-candidate agreement).
    expect(modelRuns('thoughtspace.v1.Scorer/Score').sort()).toEqual([
      ['scorer', 2],
      ['thought-space-e2', 20],
    ]);
    // The six leaves through E1 and the history through E2, under the Select that ran them.
    expect(modelRuns('thoughtspace.v1.TotSelector/Select').sort()).toEqual([
      ['thought-space-e1', 6],
      ['thought-space-e2', 1],
    ]);
    // Candidates and similar users start from the same user state, computed once, by the
    // serving window that holds this short history (decision 0034).
    const generate = modelRuns('thoughtspace.v1.CandidateGen/GenerateCandidates');
    expect(generate).toContainEqual(['sasrec-items-search', 1]);
    expect(generate.filter(([model]) => String(model).startsWith('sasrec-user-encoder'))).toEqual([
      ['sasrec-user-encoder-window8', 1],
    ]);
    for (const s of trace) expect(s.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(root.attributes['thoughtspace.degraded']).toBe(false);
  });

  it("grows the main job's tree: every refinement with its own direction and the neighbours' items", async () => {
    // The same base reason expanded by the served tot-selector (REFINE calls to the served
    // rationale-gen) and by the main job's in-process expansion: the same nodes, text for text.
    const { dataset } = bundle;
    const user = bundle.users[3];
    const items = new Map(dataset.items.map((it) => [it.id, it]));
    const history = user.history.map((id) => ({ item: items.get(id)! }));
    const similarIds = dataset.itemIds.filter((id) => !user.history.includes(id)).slice(0, 4);
    const similarItems = similarIds.map((id) => items.get(id)!);
    const embedded = await createProvider({ kind: 'embedded' });
    try {
      const reasons = inProcessReasons(embedded);
      const base = (await reasons.baseReason({ history, similarItems })).reason;
      const local = await inProcessSelection({
        reasons,
        encoders: { encodeRationales: async () => [], encodeBehaviours: async () => [] },
      }).expand({ history, base, branching: [2, 3], similarItems });
      const selector = new TotSelectorClient(
        stack.addresses['tot-selector'],
        credentials.createInsecure(),
      );
      const served = await unaryCall(
        selector.expand,
        selector,
        ExpandRequest.fromPartial({
          history: { interactions: user.history.map((itemId) => ({ itemId })) },
          baseReason: base,
          similarUserItemIds: similarIds,
          depth: 2,
          b1: 2,
          b2: 3,
        }),
        Date.now() + 20_000,
      );
      selector.close();
      expect(served.nodes.map((n) => n.rationale?.reason)).toEqual(
        local.nodes.map((n) => n.reason),
      );
      // Not a degenerate tree: the six leaves are six different reasons.
      expect(new Set(local.nodes.slice(3).map((n) => n.reason)).size).toBe(6);
    } finally {
      await embedded.dispose();
    }
  });

  it("ReasonPort.refine over gRPC carries the direction and the neighbours' items: the in-process text", async () => {
    // The port a gateway or worker holds (createGrpcPorts) against the served rationale-gen, and
    // the main job's in-process port, for a direction of the tree's second level and for free text.
    const { dataset } = bundle;
    const user = bundle.users[5];
    const items = new Map(dataset.items.map((it) => [it.id, it]));
    const history = user.history.map((id) => ({ item: items.get(id)! }));
    const similarItems = dataset.itemIds
      .filter((id) => !user.history.includes(id))
      .slice(2, 6)
      .map((id) => items.get(id)!);
    const embedded = await createProvider({ kind: 'embedded' });
    const ports = stackPorts();
    try {
      const local = inProcessReasons(embedded);
      const parent = (await local.baseReason({ history, similarItems })).reason;
      const picks = refinementDirections(3, 2, 4)[0]; // a second-level direction
      expect(picks).toBe("similar users' picks");
      const text: Record<string, string> = {};
      for (const direction of [picks, 'what they pay per ounce']) {
        for (const neighbours of [similarItems, undefined]) {
          const req = { history, parent, direction, similarItems: neighbours };
          const served = (await ports.reasons.refine(req)).reason;
          expect(served).toBe((await local.refine(req)).reason);
          text[`${direction}|${neighbours ? 'with' : 'without'}`] = served;
        }
      }
      // Nothing was dropped on the way: the neighbours' items and the direction change the text.
      expect(text[`${picks}|with`]).not.toBe(text[`${picks}|without`]);
      expect(text[`${picks}|with`]).not.toBe(text['what they pay per ounce|with']);
    } finally {
      ports.close();
      await embedded.dispose();
    }
  });

  it("selects the reason the main job's in-process chain selects for the same user", async () => {
    // The bundle's models behind the main job's in-process ports: same neighbours, same base
    // reason, same tree (the neighbours' items reach every refinement), same Thought-Space choice.
    const { modelDirs } = await readServingBundle(bundle.dir);
    const sasrec = await SasrecModel.load(modelDirs['candidate-gen'], { threads: 1 });
    const space = await ThoughtSpaceModel.load(modelDirs.encoder, { threads: 1 });
    const embedded = await createProvider({ kind: 'embedded' });
    try {
      const reasons = inProcessReasons(embedded);
      const ports = {
        candidates: inProcessCandidates(createCandidateDomain({ model: sasrec })),
        catalogue: inProcessCatalogue(bundle.dataset.items),
        reasons,
        selection: inProcessSelection({ reasons, encoders: space }),
        scorer: { score: () => Promise.reject(new Error('not used')) },
      };
      const items = new Map(bundle.dataset.items.map((it) => [it.id, it]));
      for (const i of [0, 6, 7]) {
        const { userId, history } = bundle.users[i];
        const local = await reasonForHistory(ports, {
          userId,
          history: history.map((id) => ({ item: items.get(id)! })),
          strategy: 'thought-space',
        });
        expect(local.node.depth).toBe(2);
        const served = await recommend(forUser(i));
        expect(served.rationale?.reason).toBe(local.node.reason);
      }
    } finally {
      await embedded.dispose();
      await space.dispose();
      await sasrec.dispose();
    }
  });

  it('Select writes the base reason itself only when asked, and refuses ambiguous requests naming the fields', async () => {
    const selector = new TotSelectorClient(
      stack.addresses['tot-selector'],
      credentials.createInsecure(),
    );
    const select = (over: Parameters<typeof SelectRequest.fromPartial>[0]) =>
      unaryCall(
        selector.select,
        selector,
        SelectRequest.fromPartial({
          history: { interactions: bundle.users[3].history.map((itemId) => ({ itemId })) },
          ...over,
        }),
        Date.now() + 20_000,
      );
    try {
      const written = await select({ writeBaseReason: true, returnTree: true });
      expect(written.base?.kind).toBe(RationaleKind.BASE);
      expect(written.tree[0].rationale?.reason).toBe(written.base?.reason);
      expect(written.tree).toHaveLength(9);
      expect(written.baseMs).toBeGreaterThan(0);
      // The same tree as a Select given that base reason.
      const given = await select({ baseReason: written.base!.reason, returnTree: true });
      expect(given.tree.map((n) => n.rationale?.reason)).toEqual(
        written.tree.map((n) => n.rationale?.reason),
      );
      expect(given.base).toBeUndefined();
      const refusals: [Parameters<typeof select>[0], string][] = [
        [{ writeBaseReason: true, baseReason: 'b' }, 'base_reason and write_base_reason'],
        [{ writeBaseReason: true, strategy: SelectionStrategy.BASE_ONLY }, 'not with BASE_ONLY'],
        [{}, 'base_reason'],
      ];
      for (const [over, details] of refusals) {
        await expect(select(over)).rejects.toMatchObject({
          code: status.INVALID_ARGUMENT,
          details: expect.stringContaining(details),
        });
      }
    } finally {
      selector.close();
    }
  });

  it('Select hands out E1 of the selected reason when asked, named by the E1 file', async () => {
    const selector = new TotSelectorClient(
      stack.addresses['tot-selector'],
      credentials.createInsecure(),
    );
    const space = await ThoughtSpaceModel.load(
      (await readServingBundle(bundle.dir)).modelDirs.encoder,
      {
        threads: 1,
      },
    );
    const select = (returnSelectedEmbedding: boolean) =>
      unaryCall(
        selector.select,
        selector,
        SelectRequest.fromPartial({
          history: { interactions: bundle.users[4].history.map((itemId) => ({ itemId })) },
          writeBaseReason: true,
          returnSelectedEmbedding,
        }),
        Date.now() + 20_000,
      );
    try {
      const asked = await select(true);
      const [own] = await space.encodeRationales([asked.selected!.reason]);
      expect(asked.selectedEmbedding?.model).toBe(space.rationaleModel);
      // From the batch of leaves the selection scored: equal to E1 alone up to the last bits.
      const values = asked.selectedEmbedding?.values ?? [];
      expect(values).toHaveLength(own.length);
      values.forEach((v, i) => expect(v).toBeCloseTo(own[i], 6));
      expect((await select(false)).selectedEmbedding).toBeUndefined();
    } finally {
      selector.close();
      await space.dispose();
    }
  });

  it('the scorer runs its own SASRec for a user state of another model, and counts it', async () => {
    const scorer = new ScorerClient(stack.addresses.scorer, credentials.createInsecure());
    const score = (userState?: { model: string; values: number[] }) =>
      unaryCall(
        scorer.score,
        scorer,
        ScoreRequest.fromPartial({
          history: { interactions: bundle.users[5].history.map((itemId) => ({ itemId })) },
          candidateItemIds: bundle.dataset.itemIds.slice(0, 20),
          userState,
        }),
        Date.now() + 20_000,
      );
    const metric = 'thoughtspace_scorer_recomputed_total';
    try {
      const plain = await score();
      const before = await counted(stack.metrics.scorer, metric, 'input="user_state"');
      const foreign = await score({ model: 'sasrec-user@0000000000000000', values: [0, 0, 0] });
      expect(foreign.candidates).toEqual(plain.candidates);
      expect(await counted(stack.metrics.scorer, metric, 'input="user_state"')).toBe(before + 1);
      // Its own model's name with the wrong size is a bad request, naming the field.
      const { modelDirs } = await readServingBundle(bundle.dir);
      const sasrec = await SasrecModel.load(modelDirs['candidate-gen'], { threads: 1 });
      const own = sasrec.userStateModel;
      await sasrec.dispose();
      await expect(score({ model: own, values: [0, 0, 0] })).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringContaining('user_state.values: 3 values'),
      });
    } finally {
      scorer.close();
    }
  });

  it('draws the random leaf from the request seed: another seed, another draw; the same seed, the same leaf', async () => {
    const leafFor = async (seed?: number) => {
      const res = await recommend({
        ...forUser(1, 3),
        options: {
          strategy: SelectionStrategy.RANDOM_LEAF,
          ...(seed === undefined ? {} : { seed }),
        },
      });
      expect(res.strategy).toBe(SelectionStrategy.RANDOM_LEAF);
      return res.rationale!.reason;
    };
    const bySeed = new Map<number, string>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) bySeed.set(seed, await leafFor(seed));
    // Eight seeds over the same six leaves: more than one leaf is drawn.
    expect(new Set(bySeed.values()).size).toBeGreaterThan(1);
    expect(await leafFor(3)).toBe(bySeed.get(3));
    // Without a seed the draw is the user's own, the same each time.
    expect(await leafFor()).toBe(await leafFor());
  });

  it('serves a known user by id and rejects bad fields naming them', async () => {
    const res = await recommend({
      subject: { $case: 'userId', value: bundle.users[2].userId },
      k: 3,
    });
    expect(res.items).toHaveLength(3);
    const bad: [Parameters<typeof recommend>[0], number, string][] = [
      [{ ...forUser(0), k: 101 }, status.INVALID_ARGUMENT, 'k must be'],
      [{ k: 3 }, status.INVALID_ARGUMENT, 'history or user_id'],
      [
        {
          subject: {
            $case: 'history',
            value: { userId: '', interactions: [{ itemId: 'no-such-item' }] },
          },
          k: 3,
        },
        status.NOT_FOUND,
        'history.interactions[0].item_id',
      ],
      [{ subject: { $case: 'userId', value: 'nobody' }, k: 3 }, status.NOT_FOUND, 'user_id'],
      [
        { ...forUser(0), options: { candidates: 2 } },
        status.INVALID_ARGUMENT,
        'options.candidates',
      ],
    ];
    for (const [req, code, text] of bad) {
      const err = (await recommend(req).catch((e: ServiceError) => e)) as ServiceError;
      expect({ code: err.code, details: err.details }).toEqual({
        code,
        details: expect.stringContaining(text),
      });
    }
  });

  it('degrades to scoring without a reason when reasoning is too slow, and says so', async () => {
    const catalogue = createCatalogue({
      dataset: bundle.dataset,
      name: STACK_DATASET,
      manifestHash: bundle.manifestHash,
    });
    const ports = stackPorts();
    const built = gatewayServer({
      recommender: createRecommender({ ports, catalogue, budgets: { reasoningMs: 1 } }),
      catalogue,
    });
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    const impatient = new GatewayClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      const res: RecommendResponse = await unaryCall(
        impatient.recommend,
        impatient,
        RecommendRequest.fromPartial(forUser(3)),
        Date.now() + 20_000,
      );
      expect(res.degraded).toBe(true);
      expect(res.degradedReason).toMatch(/deadline/);
      expect(res.rationale).toBeUndefined();
      expect(res.items).toHaveLength(5);
      expect(res.timings.map((t) => t.stage)).toContain('score');
    } finally {
      impatient.close();
      built.server.forceShutdown();
      ports.close();
    }
  });

  it('answers degraded when rationale-gen is dead, naming it in the response, the span and /metrics', async () => {
    stack.kill('rationale-gen');
    exporter.reset();
    const degradedBefore = await counted(
      stack.metrics.gateway,
      'thoughtspace_gateway_degraded_total',
      'stage="base-reason"',
    );
    const res = await recommend(forUser(4));
    expect(res.degraded).toBe(true);
    expect(
      await counted(
        stack.metrics.gateway,
        'thoughtspace_gateway_degraded_total',
        'stage="base-reason"',
      ),
    ).toBe(degradedBefore + 1);
    // tot-selector's call to rationale-gen failed: both are named.
    expect(res.degradedReason).toMatch(
      /^base-reason: tot-selector unavailable \(Select\): rationale-gen unavailable/,
    );
    expect(res.rationale).toBeUndefined();
    expect(res.items).toHaveLength(5);
    await telemetry.forceFlush();
    const root = exporter
      .getFinishedSpans()
      .find((s) => s.name === 'thoughtspace.v1.Gateway/Recommend' && s.kind === SpanKind.SERVER)!;
    expect(root.attributes['thoughtspace.degraded']).toBe(true);
    expect(root.attributes['thoughtspace.degraded_reason']).toMatch(/rationale-gen/);
  });

  it('refuses a scorer directory whose model file was truncated, naming the file', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'ts-scorer-')), 'scorer');
    await cp(join(bundle.dir, 'scorer'), dir, { recursive: true });
    const onnx = join(dir, 'scorer.onnx');
    await truncate(onnx, 100);
    await expect(
      loadServedScorer({
        modelDir: dir,
        sasrecDir: join(bundle.dir, 'candidate-gen'),
        encoderDir: join(bundle.dir, 'encoder'),
        dataset: bundle.dataset,
        manifestHash: bundle.manifestHash,
      }),
    ).rejects.toThrow(`${onnx} does not match the manifest`);
  });

  it('fails UNAVAILABLE naming the scorer when the scorer is dead', async () => {
    stack.kill('scorer');
    const err = (await recommend(forUser(5)).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toMatch(/^scorer unavailable/);
  });
});
