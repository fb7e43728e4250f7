import { freePort, type PrivateRedis, redisServerAvailable, startPrivateRedis } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvalidationMessage } from '../src/index.js';
import { createRedisLock, createRedisTokenCache, type RedisTokenCache } from '../src/redis/index.js';
import { deferred, makeEntry, newKey, randomId, recordingLogger, testKeyRing } from './helpers/fixtures.js';

const FAST = { connectTimeoutMs: 1_000, commandTimeoutMs: 1_000, reconnectMaxDelayMs: 100 };

/** Runs `operation`, expecting CACHE_UNAVAILABLE; returns how long it took (ms). */
async function failsUnavailable(operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await expect(operation()).rejects.toMatchObject({ name: 'CacheError', code: 'CACHE_UNAVAILABLE' });
  return performance.now() - started;
}

describe.skipIf(!redisServerAvailable())('Redis outages (private redis-server)', () => {
  it('a Redis on a closed port fails fast with CACHE_UNAVAILABLE, never a silent miss', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const cache = createRedisTokenCache({ url, keyRing: testKeyRing(), ...FAST });
    const lock = createRedisLock({ url, ...FAST });
    const key = newKey('github');
    try {
      const took = [
        await failsUnavailable(() => cache.get(key)),
        await failsUnavailable(() => cache.set(key, makeEntry())),
        await failsUnavailable(() => cache.invalidateInstanceCache(key.serviceName, key.instanceId)),
        await failsUnavailable(() => cache.ping()),
        await failsUnavailable(() => lock.acquire('k', { waitMs: 0, ttlMs: 1_000 })),
      ];
      expect(Math.max(...took)).toBeLessThan(1_500);
    } finally {
      await cache.close();
      await lock.close();
    }
  });

  describe('Redis stopped mid-run and restarted on the same port', () => {
    let server: PrivateRedis;
    let cache: RedisTokenCache;
    const logger = recordingLogger();
    const keyRing = testKeyRing();
    let resync = deferred<InvalidationMessage>();

    beforeAll(async () => {
      server = await startPrivateRedis();
      cache = createRedisTokenCache({
        url: server.url,
        keyRing,
        namespace: `outage-${randomId()}`,
        logger,
        onInvalidationMessage: (message) => {
          if (message.kind === 'all') resync.resolve(message);
        },
        ...FAST,
      });
      await cache.connected();
    });
    afterAll(async () => {
      await cache?.close();
      await server?.stop();
    });

    it('fails fast while Redis is down, keeps serving in-process hits, and recovers when it returns', async () => {
      const lock = createRedisLock({ url: server.url, keyPrefix: 'outage-lock', ...FAST });
      const cached = newKey('github');
      const entry = makeEntry();
      await cache.set(cached, entry);
      expect(await cache.get(cached)).toEqual(entry);
      expect(await lock.acquire('a', { waitMs: 0, ttlMs: 5_000 })).not.toBeNull();

      await server.stop();
      const key = newKey('github');
      const took = [
        await failsUnavailable(() => cache.get(key)),
        await failsUnavailable(() => cache.set(key, makeEntry())),
        await failsUnavailable(() => cache.ping()),
        await failsUnavailable(() => cache.emergencyCacheClear('google')),
        await failsUnavailable(() => lock.acquire('b', { waitMs: 0, ttlMs: 5_000 })),
      ];
      expect(Math.max(...took)).toBeLessThan(1_500);
      expect(await cache.get(cached)).toEqual(entry);
      expect(cache.stats().errors).toBeGreaterThanOrEqual(4);

      resync = deferred<InvalidationMessage>();
      await server.start();
      await Promise.all([cache.connected(), lock.connected()]);
      // Invalidations may have been missed while the subscriber was down: the LRU was dropped.
      expect(await resync.promise).toMatchObject({ kind: 'all' });
      expect(cache.stats().localEntries).toBe(0);

      await cache.ping();
      const fresh = makeEntry();
      await cache.set(key, fresh);
      expect(await cache.get(key)).toEqual(fresh);
      const held = await lock.acquire('b', { waitMs: 2_000, ttlMs: 5_000 });
      expect(held).not.toBeNull();
      await held!.release();
      await lock.close();

      const logs = logger.text();
      expect(logs).toContain('redis connection lost');
      expect(logs).toContain('redis connection restored');
      expect(logs).not.toContain(entry.bearerToken);
      expect(logs).not.toContain(String(server.port));
    });
  });
});
