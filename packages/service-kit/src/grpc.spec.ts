import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  RationaleGenClient,
  RationaleGenService,
  RationaleKind,
  ScorerClient,
  ScorerService,
  type RationaleGenServer,
  type ScoreRequest,
  type ScoreResponse,
  type ScorerServer,
  type StreamRationaleResponse,
} from '@thoughtspace/proto';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { startTestServer, waitFor, type TestServer } from '../../../tests/grpc-helpers';
import { ERROR_ID_METADATA_KEY, RETRIABLE_METADATA_KEY } from './errors';
import { checkDeadline } from './deadline';
import { serverStream, unary } from './handlers';
import { requireNonEmpty } from './validate';

// A trivial scorer: the logit of candidate i is n - i; special requests exercise failures.
function scorerImpl(events: string[]): ScorerServer {
  return {
    score: unary<ScoreRequest, ScoreResponse>(async (req, ctx) => {
      const ids = requireNonEmpty(req, 'candidateItemIds', { max: 100 });
      if (req.reason === 'crash') throw new TypeError('secret internal detail at /srv/model.onnx');
      if (req.reason === 'slow') {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        events.push(`aborted:${ctx.signal.aborted}`);
        checkDeadline(ctx, 'scoring');
      }
      return {
        candidates: {
          candidates: ids.map((itemId, i) => ({ itemId, score: ids.length - i })),
          model: 'test',
        },
      };
    }),
  };
}

function rationaleImpl(): RationaleGenServer {
  return {
    generateRationale: unary(() => {
      throw new InvalidArgumentError('not used');
    }),
    streamRationale: serverStream(async (req, send) => {
      for (const word of ['likes', ' the', ' brand'])
        await send({ index: 0, event: { $case: 'textDelta', value: word } });
      if (req.task?.provider === 'broken')
        throw new InvalidArgumentError('provider "broken" is not configured');
      await send({
        index: 0,
        event: {
          $case: 'rationale',
          value: {
            reason: 'likes the brand',
            evidence: [],
            provider: 'embedded',
            model: 'none',
            kind: RationaleKind.BASE,
          },
        },
      });
    }),
  };
}

function score(client: ScorerClient, req: Partial<ScoreRequest>, deadlineMs = 5000) {
  return new Promise<{ res?: ScoreResponse; err?: ServiceError }>((resolve) => {
    client.score(
      { candidateItemIds: [], reason: '', ...req },
      new Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err, res) => resolve(err ? { err } : { res }),
    );
  });
}

function collect(client: RationaleGenClient, provider: string) {
  return new Promise<{ messages: StreamRationaleResponse[]; err?: ServiceError }>((resolve) => {
    const messages: StreamRationaleResponse[] = [];
    const stream = client.streamRationale({
      task: {
        kind: RationaleKind.BASE,
        similarUserItemIds: [],
        parentReasons: [],
        furtherLevels: [],
        n: 1,
        provider,
        maxTokens: 0,
      },
    });
    stream.on('data', (m: StreamRationaleResponse) => messages.push(m));
    stream.on('error', (err: ServiceError) => resolve({ messages, err }));
    stream.on('end', () => resolve({ messages }));
  });
}

describe('unary and serverStream over real gRPC', () => {
  let server: TestServer;
  let scorer: ScorerClient;
  let rationales: RationaleGenClient;
  const events: string[] = [];

  beforeAll(async () => {
    server = await startTestServer((s) => {
      s.addService(ScorerService, scorerImpl(events));
      s.addService(RationaleGenService, rationaleImpl());
    });
    scorer = new ScorerClient(server.address, credentials.createInsecure());
    rationales = new RationaleGenClient(server.address, credentials.createInsecure());
  });

  afterAll(async () => {
    scorer.close();
    rationales.close();
    await server.close();
  });

  it('answers a unary call', async () => {
    const { res, err } = await score(scorer, { candidateItemIds: ['a', 'b'] });
    expect(err).toBeUndefined();
    expect(res?.candidates?.candidates).toEqual([
      { itemId: 'a', score: 2 },
      { itemId: 'b', score: 1 },
    ]);
  });

  it('turns InvalidArgumentError into INVALID_ARGUMENT naming the proto field', async () => {
    const { err } = await score(scorer, { candidateItemIds: [] });
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toBe('candidate_item_ids must not be empty');
    expect(err?.metadata.get(RETRIABLE_METADATA_KEY)).toEqual(['false']);
  });

  it('turns an unknown error into INTERNAL without leaking its message', async () => {
    const { err } = await score(scorer, { candidateItemIds: ['a'], reason: 'crash' });
    expect(err?.code).toBe(status.INTERNAL);
    expect(err?.details).toMatch(/^internal error \(id [0-9a-f]{12}\)$/);
    expect(err?.details).not.toContain('model.onnx');
    expect(err?.metadata.get(ERROR_ID_METADATA_KEY)).toHaveLength(1);
  });

  it('reports DEADLINE_EXCEEDED and aborts the handler signal', async () => {
    const { err } = await score(scorer, { candidateItemIds: ['a'], reason: 'slow' }, 100);
    expect(err?.code).toBe(status.DEADLINE_EXCEEDED);
    await waitFor(() => events.includes('aborted:true'), { description: 'handler saw the abort' });
  });

  it('streams partial text, then the final rationale', async () => {
    const { messages, err } = await collect(rationales, 'embedded');
    expect(err).toBeUndefined();
    expect(messages.map((m) => m.event?.$case)).toEqual([
      'textDelta',
      'textDelta',
      'textDelta',
      'rationale',
    ]);
    const last = messages[3].event;
    expect(last?.$case === 'rationale' && last.value.reason).toBe('likes the brand');
  });

  it('ends a stream with the mapped status after partial output', async () => {
    const { messages, err } = await collect(rationales, 'broken');
    expect(messages).toHaveLength(3);
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toBe('provider "broken" is not configured');
  });
});
