import { Status, ThoughtspaceError, type ErrorOptions } from '@thoughtspace/runtime';

/**
 * A record that cannot be used: undecodable bytes, a payload of another type,
 * a missing required field. Never retriable: it goes to the dead-letter topic
 * with `reason` in its headers and the partition moves on.
 */
export class InvalidEventError extends ThoughtspaceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(Status.INVALID_ARGUMENT, message, { ...options, retriable: false });
  }
}

/** Kafka configuration from the environment is unusable; the message names the variable. */
export class KafkaConfigError extends ThoughtspaceError {
  constructor(message: string) {
    super(Status.INVALID_ARGUMENT, message);
  }
}

/** Whether an error thrown by a handler or by kafkajs is worth retrying. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof ThoughtspaceError) return err.retriable;
  if (typeof err === 'object' && err !== null && 'retriable' in err) {
    return Boolean((err as { retriable: unknown }).retriable);
  }
  return false;
}
