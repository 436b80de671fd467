import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { FailedPreconditionError, NotFoundError, Status } from '@thoughtspace/runtime';
import { createLogger } from './logger';
import {
  DeadlineExceededError,
  fromServiceError,
  RETRIABLE_METADATA_KEY,
  toServiceError,
} from './errors';

function serviceError(code: status, details: string, retriable?: string): ServiceError {
  const metadata = new Metadata();
  if (retriable !== undefined) metadata.set(RETRIABLE_METADATA_KEY, retriable);
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata,
  });
}

describe('toServiceError / fromServiceError', () => {
  it('keeps the code, message and retriable flag of typed errors', () => {
    const s = toServiceError(new NotFoundError('item "B00X" not found'));
    expect(s).toMatchObject({ code: status.NOT_FOUND, details: 'item "B00X" not found' });
    expect(s.metadata.get(RETRIABLE_METADATA_KEY)).toEqual(['false']);
    expect(
      toServiceError(new DeadlineExceededError('late')).metadata.get(RETRIABLE_METADATA_KEY),
    ).toEqual(['true']);
    expect(toServiceError(new FailedPreconditionError('x', { retriable: true })).code).toBe(
      status.FAILED_PRECONDITION,
    );
  });

  it('passes transient downstream codes through and hides the rest as INTERNAL', () => {
    expect(toServiceError(serviceError(status.UNAVAILABLE, 'connect failed'))).toMatchObject({
      code: status.UNAVAILABLE,
      details: 'downstream call failed: connect failed',
    });
    expect(toServiceError(serviceError(status.INVALID_ARGUMENT, 'k must be ...')).code).toBe(
      status.INTERNAL,
    );
  });

  it('logs an unknown error under the id it returns, and returns nothing else', () => {
    const lines: string[] = [];
    const logger = createLogger({ stream: { write: (l: string) => lines.push(l) } });
    const s = toServiceError('a thrown string with a path /etc/secret', { logger });
    expect(s.code).toBe(status.INTERNAL);
    const id = /id ([0-9a-f]+)/.exec(s.details)?.[1];
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'error',
      errorId: id,
      err: 'a thrown string with a path /etc/secret',
    });
    expect(s.details).not.toContain('/etc');
  });

  it('turns a client-side ServiceError back into a typed error', () => {
    const e = fromServiceError(serviceError(status.RESOURCE_EXHAUSTED, 'queue full', 'true'));
    expect(e.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(e.retriable).toBe(true);
    expect(e.message).toBe('queue full');
    expect(fromServiceError(serviceError(status.UNAVAILABLE, 'down')).retriable).toBe(true);
    expect(fromServiceError(serviceError(status.INTERNAL, 'bug')).retriable).toBe(false);
  });
});
