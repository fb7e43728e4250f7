import { parseInvalidationMessage } from './bus.js';
import { createCacheCore } from './core-context.js';
import { getEntry, setEntry } from './entry-ops.js';
import { applyInvalidationMessage, cleanupInvalid, clearService, invalidateKeys } from './invalidation.js';
import { resolveOptions } from './options.js';
import { startPeriodicSync, startWarmUp, syncOnce } from './sync.js';
import type { TokenCache, TokenCacheOptions } from './types.js';

/**
 * Creates the token cache: a bounded in-process LRU (plaintext, per-entry TTL) in front of a keyv store
 * (values encrypted with the key ring), keys namespaced per service and instance, invalidations sent to other
 * replicas through `invalidationBus`. Store failures surface as `CacheError` `CACHE_UNAVAILABLE`.
 *
 * @throws ConfigError naming the invalid option.
 * @example
 * ```ts
 * const cache = createTokenCache({ keyRing: createKeyRing([{ id: 'k1', key }]) });
 * await cache.set({ serviceName: 'github', instanceId }, entry);
 * const hit = await cache.get({ serviceName: 'github', instanceId });
 * await cache.invalidateInstanceCache('github', instanceId); // { removed: 1, verified: true }
 * ```
 */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const resolved = resolveOptions(options);
  const core = createCacheCore(resolved);
  const stops = new Set<() => void>();
  const subscribed = resolved.bus
    .subscribe((raw) => {
      const message = parseInvalidationMessage(raw);
      if (message === undefined || message.origin === core.id || core.closed) return;
      applyInvalidationMessage(core, message);
      try {
        resolved.onInvalidationMessage?.(message);
      } catch (error) {
        resolved.logger.warn({ err: (error as Error).name }, 'onInvalidationMessage threw');
      }
    })
    .catch((error: unknown) => {
      resolved.logger.error({ err: (error as Error).name }, 'cache invalidation subscription failed');
    });

  return {
    id: core.id,
    get: (key) => getEntry(core, key),
    set: (key, entry) => setEntry(core, key, entry),
    invalidateInstanceCache: (serviceName, instanceId) => invalidateKeys(core, [{ serviceName, instanceId }]),
    bulkInvalidateCache: (instances) => invalidateKeys(core, instances),
    async announceRevocation(instanceId, keyId) {
      core.assertOpen();
      await core.publish({ kind: 'revoked', origin: core.id, instanceId, keyId: keyId ?? null });
    },
    emergencyCacheClear: (serviceName) => clearService(core, serviceName),
    cleanupInvalidCacheEntries: (reason) => cleanupInvalid(core, reason),
    stats() {
      const { localHits, sharedHits, misses } = core.counters;
      const hits = localHits + sharedHits;
      return {
        ...core.counters,
        hits,
        hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses),
        localEntries: core.lru.size,
      };
    },
    async ping() {
      core.assertOpen();
      await core.shielded('ping', () => core.shared.ping());
    },
    ready: () => subscribed,
    syncNow: (load) => syncOnce(core, load),
    startSync: (syncOptions) =>
      startPeriodicSync(core, syncOptions, (stop) => {
        stops.add(stop);
      }),
    warmUp: (load) => startWarmUp(core, load),
    async close() {
      if (core.closed) return;
      core.closed = true;
      for (const stop of stops) stop();
      stops.clear();
      core.lru.clear();
      await resolved.bus.close();
    },
  };
}
