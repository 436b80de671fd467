import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Rationale, RationaleProvider, RationaleRequest } from './types';

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries that could not be read back (corrupt or from another format); treated as misses. */
  unreadable: number;
}

/** A persistent rationale cache: one JSON file per key under `dir`. */
export interface RationaleCache {
  readonly dir: string;
  readonly stats: Readonly<CacheStats>;
  key(provider: RationaleProvider, req: RationaleRequest): string;
  get(key: string): Promise<Rationale | undefined>;
  set(key: string, value: Rationale): Promise<void>;
}

const FORMAT = 'thoughtspace.rationale-cache/1';

/**
 * Rationales on disk so reruns of the main job skip generation. The key is
 * sha256 over (provider, model, provider fingerprint, canonical request JSON);
 * entries live at `<dir>/<provider>/<key[0:2]>/<key>.json`, written atomically
 * (temporary file + rename), so concurrent writers and crashes never leave a
 * half-written entry. Entries are never expired: delete the folder to reset.
 */
export function createRationaleCache(options: { dir: string }): RationaleCache {
  const { dir } = options;
  const stats: CacheStats = { hits: 0, misses: 0, writes: 0, unreadable: 0 };
  const pathOf = (key: string) => {
    const [provider, hash] = key.split(':');
    return join(dir, provider, hash.slice(0, 2), `${hash}.json`);
  };
  return {
    dir,
    stats,
    key(provider, req) {
      const hash = createHash('sha256')
        .update(canonicalJson([FORMAT, provider.name, provider.model, provider.fingerprint, req]))
        .digest('hex');
      return `${safeName(provider.name)}:${hash}`;
    },
    async get(key) {
      let text: string;
      try {
        text = await readFile(pathOf(key), 'utf8');
      } catch {
        stats.misses++;
        return undefined;
      }
      try {
        const entry = JSON.parse(text) as { format?: string; rationale?: Rationale };
        if (entry.format !== FORMAT || typeof entry.rationale?.reason !== 'string')
          throw new Error('bad entry');
        stats.hits++;
        return entry.rationale;
      } catch {
        stats.unreadable++;
        stats.misses++;
        return undefined;
      }
    },
    async set(key, value) {
      const path = pathOf(key);
      await mkdir(join(path, '..'), { recursive: true });
      const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify({ format: FORMAT, rationale: value }) + '\n');
      await rename(tmp, path);
      stats.writes++;
    },
  };
}

/** `provider` with the cache in front: a hit skips generation; a fallback answer is not cached. */
export function withCache(provider: RationaleProvider, cache: RationaleCache): RationaleProvider {
  return {
    name: provider.name,
    model: provider.model,
    fingerprint: provider.fingerprint,
    async generate(req, opts) {
      const key = cache.key(provider, req);
      const hit = await cache.get(key);
      if (hit) return hit;
      const value = await provider.generate(req, opts);
      if (!value.fallbackFrom) await cache.set(key, value);
      return value;
    },
    // Scores are not cached: they are cheap next to generation and keyed by free text.
    ...(provider.capabilities ? { capabilities: provider.capabilities } : {}),
    ...(provider.scoreContinuation
      ? { scoreContinuation: provider.scoreContinuation.bind(provider) }
      : {}),
    dispose: () => provider.dispose(),
  };
}

/** JSON with object keys sorted and undefined members dropped, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

function safeName(name: string): string {
  return name.replace(/[^a-z0-9-]/gi, '_');
}
