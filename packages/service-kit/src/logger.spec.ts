import { createLogger } from './logger';

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
