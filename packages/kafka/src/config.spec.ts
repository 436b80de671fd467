import { kafkaConfigFromEnv } from './config';

const defaults = { clientId: 'svc' };

describe('kafkaConfigFromEnv', () => {
  it('reads brokers, client id, TLS and SASL', () => {
    expect(
      kafkaConfigFromEnv(
        {
          KAFKA_BROKERS: 'k1:9092, k2:9093',
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
          KAFKA_SASL_USERNAME: 'u',
          KAFKA_SASL_PASSWORD: 'p',
        },
        defaults,
      ),
    ).toEqual({
      brokers: ['k1:9092', 'k2:9093'],
      clientId: 'svc',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
  });

  it.each([
    [{}, /KAFKA_BROKERS is required/],
    [{ KAFKA_BROKERS: 'k1' }, /KAFKA_BROKERS: "k1" is not host:port/],
    [{ KAFKA_BROKERS: 'k1:99999' }, /KAFKA_BROKERS: "k1:99999" is not host:port/],
    [{ KAFKA_BROKERS: 'k:1', KAFKA_SSL: 'yes' }, /KAFKA_SSL must be true or false/],
    [{ KAFKA_BROKERS: 'k:1', KAFKA_CLIENT_ID: 'a b' }, /KAFKA_CLIENT_ID must match/],
    [
      { KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'gssapi' },
      /KAFKA_SASL_MECHANISM must be one of/,
    ],
    [
      { KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' },
      /KAFKA_SASL_PASSWORD is required/,
    ],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => kafkaConfigFromEnv(env, defaults)).toThrow(message);
  });

  it('never puts the SASL password in an error', () => {
    expect(() =>
      kafkaConfigFromEnv(
        { KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'nope', KAFKA_SASL_PASSWORD: 's3cret' },
        defaults,
      ),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });
});
