import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRationaleCache, withCache } from './cache';
import { createEmbeddedProvider } from './providers/embedded';
import type { Rationale, RationaleProvider, RationaleRequest } from './types';

const req: RationaleRequest = {
  kind: 'base',
  history: [
    { item: { id: 'B1', title: 'Crabtree & Evelyn Hand Cream' }, rating: 5 },
    { item: { id: 'B2', title: 'Crabtree & Evelyn Hand Soap' } },
  ],
};

describe('rationale cache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ts-rcache-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('hits on the second identical request, across cache instances (reruns)', async () => {
    let calls = 0;
    const inner = createEmbeddedProvider();
    const counting: RationaleProvider = {
      ...inner,
      generate: (r, o) => {
        calls++;
        return inner.generate(r, o);
      },
    };
    const first = createRationaleCache({ dir });
    const a = await withCache(counting, first).generate(req);
    const b = await withCache(counting, first).generate({ ...req, history: [...req.history] });
    expect(b).toEqual(a);
    expect(calls).toBe(1);
    expect(first.stats).toEqual({ hits: 1, misses: 1, writes: 1, unreadable: 0 });

    const rerun = createRationaleCache({ dir });
    await withCache(counting, rerun).generate(req);
    expect(calls).toBe(1);
    expect(rerun.stats.hits).toBe(1);

    await withCache(counting, rerun).generate({
      ...req,
      kind: 'base',
      history: req.history.slice(0, 1),
    });
    expect(calls).toBe(2);
  });

  it('keys differ by provider, model and fingerprint; key order does not matter', () => {
    const cache = createRationaleCache({ dir });
    const p = createEmbeddedProvider();
    const k = cache.key(p, req);
    expect(cache.key(p, { history: req.history, kind: 'base' })).toBe(k);
    expect(cache.key({ ...p, model: 'other' }, req)).not.toBe(k);
    expect(cache.key({ ...p, fingerprint: 'v2' }, req)).not.toBe(k);
    expect(k).toMatch(/^embedded:[0-9a-f]{64}$/);
  });

  it('treats a corrupt entry as a miss and does not cache fallback answers', async () => {
    const cache = createRationaleCache({ dir });
    const p = createEmbeddedProvider();
    const key = cache.key(p, req);
    await cache.set(key, {
      reason: 'r',
      evidence: [],
      provider: 'embedded',
      model: 'none',
      kind: 'base',
    });
    const [sub] = await readdir(join(dir, 'embedded'));
    const [file] = await readdir(join(dir, 'embedded', sub));
    await writeFile(join(dir, 'embedded', sub, file), '{not json');
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.stats.unreadable).toBe(1);

    const fallback: Rationale = {
      reason: 'x',
      evidence: [],
      provider: 'embedded',
      model: 'none',
      kind: 'base',
      fallbackFrom: { provider: 'openai', model: 'm', error: 'down' },
    };
    const flaky: RationaleProvider = { ...p, name: 'openai', generate: async () => fallback };
    await withCache(flaky, cache).generate(req);
    expect(await cache.get(cache.key(flaky, req))).toBeUndefined();
  });

  it("keeps the wrapped provider's capabilities and continuation scoring", async () => {
    const cache = createRationaleCache({ dir });
    const embedded = withCache(createEmbeddedProvider(), cache);
    expect(embedded.capabilities).toEqual({ logprobs: false });
    expect(embedded.scoreContinuation).toBeUndefined();
    const seen: string[] = [];
    const scoring: RationaleProvider = {
      ...createEmbeddedProvider(),
      capabilities: { logprobs: true },
      scoreContinuation: async (prompt, continuation) => {
        seen.push(`${prompt}|${continuation}`);
        return { logProb: -2, tokens: 1, tokenLogProbs: Float64Array.of(-2) };
      },
    };
    const wrapped = withCache(scoring, cache);
    expect(wrapped.capabilities).toEqual({ logprobs: true });
    await expect(wrapped.scoreContinuation!('p', 'c')).resolves.toMatchObject({ logProb: -2 });
    expect(seen).toEqual(['p|c']);
  });
});
