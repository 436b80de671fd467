import { Status } from './status';

export interface ErrorOptions {
  /** Whether retrying the same call may succeed (kafkajs `retriable`). */
  retriable?: boolean;
  cause?: unknown;
}

/**
 * Base of every typed error in thoughtspace: a message for people, a gRPC
 * status code for the boundary, and whether a retry can help.
 */
export class ThoughtspaceError extends Error {
  readonly code: Status;
  readonly retriable: boolean;

  constructor(code: Status, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** The caller passed something unusable: a bad flag, a bad field, an empty dataset. */
export class InvalidArgumentError extends ThoughtspaceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(Status.INVALID_ARGUMENT, message, options);
  }
}

/** A named thing (file, dataset, item) does not exist. */
export class NotFoundError extends ThoughtspaceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(Status.NOT_FOUND, message, options);
  }
}

/** The system is not in a state where the call can run (e.g. a model that does not match its manifest). */
export class FailedPreconditionError extends ThoughtspaceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(Status.FAILED_PRECONDITION, message, options);
  }
}

/** Input data is corrupt beyond what counting malformed lines can handle. */
export class DataLossError extends ThoughtspaceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(Status.DATA_LOSS, message, options);
  }
}

/** Describe an unknown thrown value in one line without dumping payloads. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
