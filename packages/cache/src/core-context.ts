import type { CacheKey } from '@org/mcp-oauth-core';
import { LRUCache } from 'lru-cache';
import type { InvalidationMessage } from './bus.js';
import { CacheError, unavailable } from './errors.js';
import { cacheKeyOf } from './key.js';
import type { ResolvedOptions } from './options.js';
import { createSharedStore, type SharedStore } from './shared-store.js';
import { InvalidationTracker } from './tracker.js';
import type { CacheEntry } from './types.js';

/** Counters behind `stats()` (internal). */
export interface Counters {
  localHits: number;
  sharedHits: number;
  misses: number;
  sets: number;
  staleSetsIgnored: number;
  invalidations: number;
  errors: number;
}

/** State shared by the cache's modules (internal; one per `createTokenCache` call). */
export interface CacheCore {
  readonly id: string;
  readonly options: ResolvedOptions;
  readonly lru: LRUCache<string, CacheEntry>;
  readonly shared: SharedStore;
  readonly tracker: InvalidationTracker;
  readonly counters: Counters;
  closed: boolean;
  /** @throws CacheError `CACHE_CLOSED`. */
  assertOpen(): void;
  storeKeyOf(key: CacheKey): string;
  /** Runs a shared store operation, counting a failure and rethrowing it as `CACHE_UNAVAILABLE`. */
  shielded<T>(operation: string, run: () => Promise<T>): Promise<T>;
  /** Publishes on the bus. @throws CacheError `CACHE_UNAVAILABLE`. */
  publish(message: InvalidationMessage): Promise<void>;
}

/** Builds the shared state of a cache from resolved options (internal). */
export function createCacheCore(options: ResolvedOptions): CacheCore {
  const counters: Counters = {
    localHits: 0,
    sharedHits: 0,
    misses: 0,
    sets: 0,
    staleSetsIgnored: 0,
    invalidations: 0,
    errors: 0,
  };
  const lru = new LRUCache<string, CacheEntry>({
    max: options.lruMaxEntries,
    ttl: options.lruTtlMs,
    ttlResolution: 0,
    perf: { now: options.now },
  });
  const core: CacheCore = {
    id: globalThis.crypto.randomUUID(),
    options,
    lru,
    shared: createSharedStore(options.store, options.hooks, `${options.namespace}:__ping__`),
    tracker: new InvalidationTracker(),
    counters,
    closed: false,
    assertOpen() {
      if (core.closed) throw new CacheError('CACHE_CLOSED', 'The token cache is closed');
    },
    storeKeyOf(key) {
      return cacheKeyOf(key, options.namespace);
    },
    async shielded(operation, run) {
      try {
        return await run();
      } catch (error) {
        counters.errors++;
        throw unavailable(operation, error);
      }
    },
    async publish(message) {
      await core.shielded('publish', () => options.bus.publish(message));
    },
  };
  return core;
}
