import { logLevel, type logCreator } from 'kafkajs';

/** The logger the Kafka components take (service-kit's Logger fits it). */
export interface KafkaLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  namespace(name: string): KafkaLogger;
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentKafkaLogger: KafkaLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  namespace: () => silentKafkaLogger,
};

/** Route kafkajs's own logs into `logger.namespace('kafkajs:<its namespace>')`. */
export function kafkajsLogCreator(logger: KafkaLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...fields } = log;
      const l = logger.namespace(`kafkajs${namespace ? `:${namespace}` : ''}`);
      if (level === logLevel.ERROR) l.error(message, fields);
      else if (level === logLevel.WARN) l.warn(message, fields);
      else if (level === logLevel.INFO) l.info(message, fields);
      else l.debug(message, fields);
    };
}
