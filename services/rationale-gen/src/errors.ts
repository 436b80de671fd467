/**
 * rationale-gen's errors: the shared typed errors (gRPC status codes and
 * retriable flags) re-exported, so domain code imports them from one place.
 */
export {
  ThoughtspaceError,
  InvalidArgumentError,
  NotFoundError,
  FailedPreconditionError,
} from '@thoughtspace/runtime';
export { UnavailableError, DeadlineExceededError } from '@thoughtspace/service-kit';
