import { credentials, Metadata, status } from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  ScorerClient,
  ScorerService,
  type ScoreRequest,
  type ScoreResponse,
} from '@thoughtspace/proto';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { startTestServer, type TestServer } from '../../../tests/grpc-helpers';
import { unary } from './handlers';
import { createLogger } from './logger';
import { setupTelemetry, type Telemetry } from './sdk';
import { activeSpan, withSpan } from './telemetry';
import { extractTraceContext, injectIntoMetadata, injectTraceHeaders } from './trace-context';

describe('OpenTelemetry', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let server: TestServer;
  let client: ScorerClient;

  beforeAll(async () => {
    telemetry = setupTelemetry({ serviceName: 'scorer-test', exporter, simple: true });
    server = await startTestServer((s) =>
      s.addService(ScorerService, {
        score: unary<ScoreRequest, ScoreResponse>((req) =>
          // A child span inside the handler must join the RPC's trace.
          withSpan(
            telemetry.tracer,
            'model.run',
            { 'candidates.count': req.candidateItemIds.length },
            () => {
              if (req.reason === 'bad') throw new InvalidArgumentError('reason is bad');
              return { candidates: { candidates: [], model: 't' } };
            },
          ),
        ),
      }),
    );
    client = new ScorerClient(server.address, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.close();
    await telemetry.shutdown();
  });

  beforeEach(() => exporter.reset());

  const score = (reason: string, metadata = new Metadata()) =>
    new Promise<number>((resolve) =>
      client.score({ candidateItemIds: ['a'], reason }, metadata, (err) =>
        resolve(err ? err.code : status.OK),
      ),
    );

  it('records a server span per RPC with rpc.* attributes and a child span', async () => {
    expect(await score('')).toBe(status.OK);
    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    const rpc = spans.find((s) => s.name === 'thoughtspace.v1.Scorer/Score');
    const child = spans.find((s) => s.name === 'model.run');
    expect(rpc?.kind).toBe(SpanKind.SERVER);
    expect(rpc?.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'thoughtspace.v1.Scorer',
      'rpc.method': 'Score',
      'rpc.grpc.status_code': status.OK,
    });
    expect(rpc?.resource.attributes['service.name']).toBe('scorer-test');
    expect(child?.attributes['candidates.count']).toBe(1);
    expect(child?.spanContext().traceId).toBe(rpc?.spanContext().traceId);
    expect(child?.parentSpanContext?.spanId).toBe(rpc?.spanContext().spanId);
  });

  it('marks failed RPCs with the status code and ERROR', async () => {
    expect(await score('bad')).toBe(status.INVALID_ARGUMENT);
    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    const rpc = spans.find((s) => s.name === 'thoughtspace.v1.Scorer/Score');
    expect(rpc?.attributes['rpc.grpc.status_code']).toBe(status.INVALID_ARGUMENT);
    expect(rpc?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'reason is bad' });
    expect(spans.find((s) => s.name === 'model.run')?.events[0]?.name).toBe('exception');
  });

  it('continues the caller trace from traceparent in call metadata', async () => {
    await withSpan(telemetry.tracer, 'client', {}, async (span) => {
      expect(await score('', injectIntoMetadata(new Metadata()))).toBe(status.OK);
      await telemetry.forceFlush();
      const rpc = exporter
        .getFinishedSpans()
        .find((s) => s.name === 'thoughtspace.v1.Scorer/Score');
      expect(rpc?.spanContext().traceId).toBe(span.spanContext().traceId);
      expect(rpc?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    });
  });

  it('writes the RPC span trace_id/span_id on every log line of a call, the error mapping included', async () => {
    const lines: string[] = [];
    const logger = createLogger({ stream: { write: (l: string) => lines.push(l) } });
    const logged = await startTestServer((s) =>
      s.addService(ScorerService, {
        score: unary<ScoreRequest, ScoreResponse>(
          async (req, ctx) => {
            ctx.logger.info('scoring', { candidates: req.candidateItemIds.length });
            await new Promise((r) => setTimeout(r, 1));
            if (req.reason === 'crash') throw new Error('model exploded');
            return { candidates: { candidates: [], model: 't' } };
          },
          { logger },
        ),
      }),
    );
    const c = new ScorerClient(logged.address, credentials.createInsecure());
    try {
      await withSpan(telemetry.tracer, 'client', {}, async (span) => {
        const code = await new Promise<number>((resolve) =>
          c.score(
            { candidateItemIds: ['a'], reason: 'crash' },
            injectIntoMetadata(new Metadata()),
            (err) => resolve(err ? err.code : status.OK),
          ),
        );
        expect(code).toBe(status.INTERNAL);
        await telemetry.forceFlush();
        const rpc = exporter
          .getFinishedSpans()
          .find((x) => x.name === 'thoughtspace.v1.Scorer/Score');
        const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(records.map((r) => r.level)).toEqual(expect.arrayContaining(['info', 'error']));
        for (const r of records) {
          expect(r.trace_id).toBe(span.spanContext().traceId);
          expect(r.span_id).toBe(rpc?.spanContext().spanId);
        }
      });
    } finally {
      c.close();
      await logged.close();
    }
  });

  it('round-trips W3C trace context through a Kafka headers record', async () => {
    await withSpan(telemetry.tracer, 'produce', {}, async (span) => {
      const headers = injectTraceHeaders({ 'content-type': 'application/x-protobuf' });
      expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      // kafkajs hands consumers Buffers; the getter must read them.
      const received = Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))]),
      );
      const extracted = trace.getSpanContext(extractTraceContext(received, context.active()));
      expect(extracted?.traceId).toBe(span.spanContext().traceId);
      expect(extracted?.spanId).toBe(span.spanContext().spanId);
      expect(extracted?.isRemote).toBe(true);
    });
    expect(activeSpan()).toBeUndefined();
  });
});
