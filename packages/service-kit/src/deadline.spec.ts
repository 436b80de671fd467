import { DeadlineExceededError } from './errors';
import { checkDeadline, deadlineMs, downstreamCallOptions, remainingMs } from './deadline';

describe('deadlines', () => {
  const now = 1_000_000;

  it('reads grpc-js deadlines (Infinity = none)', () => {
    expect(deadlineMs(Infinity)).toBeUndefined();
    expect(deadlineMs(new Date(now))).toBe(now);
    expect(remainingMs({ deadline: undefined }, now)).toBe(Infinity);
    expect(remainingMs({ deadline: now - 5 }, now)).toBe(0);
  });

  it('checkDeadline throws a retriable DEADLINE_EXCEEDED naming the step', () => {
    expect(() => checkDeadline({ deadline: now + 1 }, 'scoring', now)).not.toThrow();
    const check = () => checkDeadline({ deadline: now - 20 }, 'scoring', now);
    expect(check).toThrow(DeadlineExceededError);
    expect(check).toThrow('deadline exceeded before scoring (by 20 ms)');
  });

  it('gives downstream calls the incoming deadline minus a margin', () => {
    expect(downstreamCallOptions({ deadline: now + 500 }, { marginMs: 50, now })).toEqual({
      deadline: new Date(now + 450),
    });
    expect(downstreamCallOptions({ deadline: undefined }, { now })).toEqual({});
    expect(downstreamCallOptions({ deadline: undefined }, { defaultTimeoutMs: 200, now })).toEqual({
      deadline: new Date(now + 200),
    });
    expect(() => downstreamCallOptions({ deadline: now + 5 }, { marginMs: 10, now })).toThrow(
      DeadlineExceededError,
    );
  });
});
