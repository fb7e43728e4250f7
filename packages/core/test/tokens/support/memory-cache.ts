import type { CachedCredential, CacheKey, TokenCachePort } from '../../../src/tokens/ports.js';

/** An in-memory {@link TokenCachePort} (one "replica"), with switches to make it fail. */
export interface MemoryCache extends TokenCachePort {
  readonly entries: Map<string, CachedCredential>;
  /** `serviceName/instanceId` of every invalidation, oldest first. */
  readonly invalidations: string[];
  /** Every read or write throws while set. */
  failing: boolean;
}

const keyOf = (key: CacheKey): string => `${key.serviceName}/${key.instanceId}`;

/** Creates a {@link MemoryCache}; `peers` receive this cache's invalidations (other replicas). */
export function createMemoryCache(peers: MemoryCache[] = []): MemoryCache {
  const entries = new Map<string, CachedCredential>();
  const cache: MemoryCache = {
    entries,
    invalidations: [],
    failing: false,
    async get(key) {
      if (cache.failing) throw new Error('cache down');
      const entry = entries.get(keyOf(key));
      return entry === undefined ? undefined : structuredClone(entry);
    },
    async set(key, entry) {
      if (cache.failing) throw new Error('cache down');
      const current = entries.get(keyOf(key));
      if (current !== undefined && current.version > entry.version) return;
      entries.set(keyOf(key), structuredClone(entry));
    },
    async invalidateInstanceCache(serviceName, instanceId) {
      if (cache.failing) throw new Error('cache down');
      const key = keyOf({ serviceName, instanceId });
      cache.invalidations.push(key);
      entries.delete(key);
      for (const peer of peers) peer.entries.delete(key);
    },
  };
  return cache;
}
