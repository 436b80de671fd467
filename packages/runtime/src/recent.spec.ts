import { createRecentCache, createRecentRuns } from './recent';

describe('createRecentCache', () => {
  it('computes once per key, and drops the least recently used past its capacity', () => {
    const computed: string[] = [];
    const cache = createRecentCache<number>(2);
    const get = (key: string) =>
      cache.get(key, () => {
        computed.push(key);
        return key.length;
      });
    expect([get('a'), get('bb'), get('a')]).toEqual([1, 2, 1]);
    get('ccc'); // drops 'bb', the least recent ('a' was used after it)
    get('a');
    get('bb');
    expect(computed).toEqual(['a', 'bb', 'ccc', 'bb']);
    expect(cache.size).toBe(2);
    cache.delete('bb');
    expect(cache.size).toBe(1);
  });
});

describe('createRecentRuns', () => {
  it('shares a pending run, keeps a finished one, forgets a failed one', async () => {
    let started = 0;
    const runs = createRecentRuns<number>(4);
    const run = (fail: boolean) => () => {
      started++;
      return fail ? Promise.reject(new Error('boom')) : Promise.resolve(started);
    };
    const [a, b] = [runs.get('k', run(false)), runs.get('k', run(false))];
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    expect(await runs.get('k', run(false))).toBe(1);
    expect(started).toBe(1);
    await expect(runs.get('bad', run(true))).rejects.toThrow('boom');
    expect(await runs.get('bad', run(false))).toBe(3);
    expect(started).toBe(3);
  });

  it('a failure does not drop a newer run that took its key after it was evicted', async () => {
    const runs = createRecentRuns<string>(1);
    let fail!: (err: Error) => void;
    const old = runs.get('k', () => new Promise<string>((_, reject) => (fail = reject)));
    void runs.get('other', () => Promise.resolve('evicts k'));
    const newer = runs.get('k', () => Promise.resolve('newer'));
    fail(new Error('old run failed'));
    await expect(old).rejects.toThrow('old run failed');
    let again = 0;
    expect(
      await runs.get('k', () => {
        again++;
        return Promise.resolve('rerun');
      }),
    ).toBe('newer');
    expect(again).toBe(0);
    await newer;
  });
});
