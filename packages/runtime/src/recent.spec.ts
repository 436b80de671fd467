import { createRecentCache } from './recent';

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
