import type { SASLOptions } from 'kafkajs';
import { KafkaConfigError } from './errors';

/** Connection settings for kafkajs, validated. Production: a real cluster; tests: tools/broker. */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: SASLOptions;
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/**
 * Read KAFKA_BROKERS (required, "host:port,host:port"), KAFKA_CLIENT_ID,
 * KAFKA_SSL (true|false), KAFKA_SASL_MECHANISM (plain|scram-sha-256|scram-sha-512)
 * with KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD from `env`. The caller's
 * config.ts passes process.env; errors name the variable, never its secret value.
 */
export function kafkaConfigFromEnv(
  env: Record<string, string | undefined>,
  defaults: { clientId: string },
): KafkaConfig {
  const raw = env.KAFKA_BROKERS?.trim();
  if (!raw) throw new KafkaConfigError('KAFKA_BROKERS is required: "host:port[,host:port...]"');
  const brokers = raw.split(',').map((b) => b.trim());
  for (const b of brokers) {
    const m = /^([A-Za-z0-9.\-_[\]:]+):(\d{1,5})$/.exec(b);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new KafkaConfigError(`KAFKA_BROKERS: "${b}" is not host:port`);
    }
  }
  const clientId = env.KAFKA_CLIENT_ID?.trim() || defaults.clientId;
  if (!/^[A-Za-z0-9._-]+$/.test(clientId)) {
    throw new KafkaConfigError(`KAFKA_CLIENT_ID must match [A-Za-z0-9._-]+, got "${clientId}"`);
  }
  const sslRaw = (env.KAFKA_SSL ?? 'false').trim().toLowerCase();
  if (sslRaw !== 'true' && sslRaw !== 'false') {
    throw new KafkaConfigError(`KAFKA_SSL must be true or false, got "${sslRaw}"`);
  }
  const config: KafkaConfig = { brokers, clientId, ssl: sslRaw === 'true' };
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (mechanism) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new KafkaConfigError(
        `KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`,
      );
    }
    const username = env.KAFKA_SASL_USERNAME;
    const password = env.KAFKA_SASL_PASSWORD;
    if (!username)
      throw new KafkaConfigError('KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM');
    if (!password)
      throw new KafkaConfigError('KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM');
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  return config;
}
