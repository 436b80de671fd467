import { randomBytes } from 'node:crypto';
import {
  Metadata,
  status as GrpcStatus,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { Status, ThoughtspaceError, type ErrorOptions } from '@thoughtspace/runtime';
import type { Logger } from './logger';

/** Trailing-metadata key telling clients whether retrying the same call may succeed. */
export const RETRIABLE_METADATA_KEY = 'thoughtspace-retriable';
/** Trailing-metadata key with the id under which an internal error was logged. */
export const ERROR_ID_METADATA_KEY = 'thoughtspace-error-id';

/** The call's deadline passed before the work finished. Retriable: a later call may be faster. */
export class DeadlineExceededError extends ThoughtspaceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(Status.DEADLINE_EXCEEDED, message, { retriable: true, ...options });
  }
}

/** A dependency (model, downstream service, broker) is not available right now. */
export class UnavailableError extends ThoughtspaceError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(Status.UNAVAILABLE, message, { retriable: true, ...options });
  }
}

// Codes of a failed downstream gRPC call that mean the same for our caller.
// Anything else (INVALID_ARGUMENT from a downstream service, say) is our bug,
// not the caller's, and becomes INTERNAL.
const PASS_THROUGH = new Set<number>([
  GrpcStatus.CANCELLED,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);

export interface ToServiceErrorOptions {
  /** Where internal errors are logged with their id; silent by default. */
  logger?: Logger;
}

/**
 * The one mapping from a thrown value to a gRPC status. ThoughtspaceError keeps
 * its code and message; a failed downstream gRPC call keeps a transient code;
 * everything else is INTERNAL with a generic message and an error id (the
 * details go to the log, never to the caller). Trailing metadata says whether
 * a retry may help.
 */
export function toServiceError(
  err: unknown,
  options: ToServiceErrorOptions = {},
): Partial<StatusObject> & { code: GrpcStatus; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  if (err instanceof ThoughtspaceError) {
    metadata.set(RETRIABLE_METADATA_KEY, String(err.retriable));
    return { code: err.code as number as GrpcStatus, details: err.message, metadata };
  }
  if (isServiceError(err) && PASS_THROUGH.has(err.code)) {
    metadata.set(RETRIABLE_METADATA_KEY, String(err.code !== GrpcStatus.CANCELLED));
    return { code: err.code, details: `downstream call failed: ${err.details}`, metadata };
  }
  const errorId = randomBytes(6).toString('hex');
  options.logger?.error('internal error', { errorId, err });
  metadata.set(RETRIABLE_METADATA_KEY, 'false');
  metadata.set(ERROR_ID_METADATA_KEY, errorId);
  return { code: GrpcStatus.INTERNAL, details: `internal error (id ${errorId})`, metadata };
}

/** The client side: a failed call as a ThoughtspaceError with the server's code and retriable flag. */
export function fromServiceError(err: ServiceError): ThoughtspaceError {
  const flag = err.metadata?.get(RETRIABLE_METADATA_KEY)[0];
  const retriable =
    flag === undefined
      ? err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.DEADLINE_EXCEEDED
      : String(flag) === 'true';
  return new ThoughtspaceError(err.code as number as Status, err.details || err.message, {
    retriable,
    cause: err,
  });
}

/** A grpc-js client error: an Error with a numeric status code and details. */
export function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === 'number' &&
    typeof (err as Partial<ServiceError>).details === 'string'
  );
}
