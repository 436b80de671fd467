import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger } from './logger';
import { setupTelemetry, type Telemetry } from './sdk';

function capture(level: 'debug' | 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    namespace: 'candidate-gen',
    stream: { write: (l: string) => lines.push(l) },
    now: () => new Date('2025-01-02T03:04:05.000Z'),
  });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with namespace, level and fields', () => {
    const { logger, records } = capture();
    logger.namespace('kafka').child({ requestId: 'r1' }).info('consumed', { partition: 3 });
    expect(records()).toEqual([
      {
        time: '2025-01-02T03:04:05.000Z',
        level: 'info',
        ns: 'candidate-gen:kafka',
        msg: 'consumed',
        requestId: 'r1',
        partition: 3,
      },
    ]);
  });

  it('drops lines below the configured level', () => {
    const { logger, records } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((r) => r.level)).toEqual(['warn', 'error']);
  });

  it('redacts secret-looking keys at any depth and summarises errors', () => {
    const { logger, records } = capture();
    logger.child({ apiKey: 'sk-1' }).error('failed', {
      config: { OPENAI_API_KEY: 'sk-2', auth: { password: 'p', bearerToken: 't' }, port: 1 },
      err: new TypeError('boom'),
      level: 'forged',
    });
    const [line] = records();
    expect(line.apiKey).toBe('[redacted]');
    expect(line.config).toEqual({
      OPENAI_API_KEY: '[redacted]',
      auth: { password: '[redacted]', bearerToken: '[redacted]' },
      port: 1,
    });
    expect(line.err).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(line.level).toBe('error');
    expect(JSON.stringify(line)).not.toMatch(/sk-1|sk-2/);
  });
});

describe('createLogger inside an OpenTelemetry span', () => {
  let telemetry: Telemetry;
  beforeAll(() => {
    // Spans are recorded only where something exports them (sdk.ts).
    telemetry = setupTelemetry({
      serviceName: 'logger-spec',
      exporter: new InMemorySpanExporter(),
    });
  });
  afterAll(() => telemetry.shutdown());

  it('writes the active span trace_id and span_id on every line, and none outside a span', async () => {
    const { logger, records } = capture();
    const ids = await telemetry.tracer.startActiveSpan('outer', async (span) => {
      logger.info('inside');
      await new Promise((r) => setTimeout(r, 1));
      logger.namespace('kafka').child({ requestId: 'r2' }).warn('after await');
      span.end();
      return span.spanContext();
    });
    logger.info('outside');
    const [inside, afterAwait, outside] = records();
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(inside).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(afterAwait).toMatchObject({
      ns: 'candidate-gen:kafka',
      requestId: 'r2',
      trace_id: ids.traceId,
      span_id: ids.spanId,
    });
    expect(outside.trace_id).toBeUndefined();
    expect(outside.span_id).toBeUndefined();
  });

  it('does not let a field forge the trace ids', () => {
    const { logger, records } = capture();
    const ids = telemetry.tracer.startActiveSpan('s', (span) => {
      logger.info('forged', { trace_id: 'x', span_id: 'y' });
      span.end();
      return span.spanContext();
    });
    const [line] = records();
    expect(line.trace_id).toBe(ids.traceId);
    expect(line.span_id).toBe(ids.spanId);
  });
});
