import { createIdempotenceStore } from './idempotence';

describe('idempotence store', () => {
  it('remembers ids up to its capacity, forgetting the oldest first', () => {
    const s = createIdempotenceStore({ capacity: 2 });
    s.add('a');
    s.add('b');
    s.add('a');
    expect([s.has('a'), s.has('b'), s.size]).toEqual([true, true, 2]);
    s.add('c');
    expect([s.has('a'), s.has('b'), s.has('c')]).toEqual([false, true, true]);
    expect(createIdempotenceStore({ initial: s.snapshot() }).snapshot()).toEqual(['b', 'c']);
  });

  it('rejects a capacity below 1', () => {
    expect(() => createIdempotenceStore({ capacity: 0 })).toThrow(
      'capacity must be a positive integer, got 0',
    );
  });
});
