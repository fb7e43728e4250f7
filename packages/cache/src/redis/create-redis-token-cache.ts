import KeyvRedis, { Keyv } from '@keyv/redis';
import { silentLogger } from '@org/mcp-oauth-core';
import { createTokenCache } from '../create-token-cache.js';
import { DEFAULT_CACHE_NAMESPACE } from '../key.js';
import { resolveOptions } from '../options.js';
import type { StoredEnvelope, StoreHooks, TokenCache, TokenCacheOptions } from '../types.js';
import { assertChannel, busOverClients } from './bus.js';
import {
  connectionDefaults,
  createManagedRedisClient,
  type ManagedRedisClient,
  type RedisConnectionOptions,
} from './client.js';
import { SET_IF_NOT_OLDER } from './scripts.js';

/** Options of {@link createRedisTokenCache}: the cache options (minus the store and bus) plus the connection. */
export interface RedisTokenCacheOptions
  extends Omit<TokenCacheOptions, 'store' | 'invalidationBus' | 'storeHooks'>,
    RedisConnectionOptions {
  /** Pub/sub channel of invalidations. @default `<namespace>:invalidations` */
  channel?: string;
}

/** A token cache on Redis. */
export interface RedisTokenCache extends TokenCache {
  /** Resolves when every Redis connection (data, publish, subscribe) is up; waits while Redis is down. */
  connected(): Promise<void>;
}

function redisHooks(data: ManagedRedisClient, keyv: Keyv, now: () => number): StoreHooks {
  const { client } = data;
  return {
    beforeOperation: () => data.untilUsable(),
    async *scanKeys(prefix) {
      // Namespaces and encoded key parts never contain glob characters, so the prefix is a literal.
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        yield* keys;
      }
    },
    async setIfNotOlder(storeKey: string, envelope: StoredEnvelope, ttlMs: number | undefined) {
      const expires = ttlMs === undefined ? undefined : Date.now() + ttlMs;
      const serialized = await keyv.serializeData({ value: envelope, expires });
      const reply = await client.eval(SET_IF_NOT_OLDER, {
        keys: [storeKey],
        arguments: [String(serialized), String(envelope.version), String(ttlMs ?? 0), String(now())],
      });
      return reply === 1;
    },
    async ping() {
      await client.ping();
    },
  };
}

/**
 * {@link createTokenCache} over Redis: values in `@keyv/redis` (encrypted, failures surface as
 * `CACHE_UNAVAILABLE` at once while Redis is down), a version check done atomically by a Lua script,
 * invalidations over Redis pub/sub on a separate subscriber connection. Connections reconnect forever in the
 * background; the cache recovers by itself when Redis returns. `close()` closes every connection.
 *
 * @throws ConfigError naming the invalid option.
 * @example
 * ```ts
 * const cache = createRedisTokenCache({ url: 'redis://127.0.0.1:6379', keyRing });
 * await cache.set({ serviceName: 'github', instanceId }, entry);
 * ```
 */
export function createRedisTokenCache(options: RedisTokenCacheOptions): RedisTokenCache {
  const connection = connectionDefaults(options);
  // Validate the cache options before opening any connection.
  resolveOptions({ ...options, invalidationBus: undefined, store: undefined, storeHooks: undefined });
  const logger = options.logger ?? silentLogger;
  const namespace = options.namespace ?? DEFAULT_CACHE_NAMESPACE;
  const channel = options.channel ?? `${namespace}:invalidations`;
  assertChannel(channel);
  const data = createManagedRedisClient({ ...connection, role: 'cache', logger, offlineQueue: false });
  const adapter = new KeyvRedis(data.client, { throwOnErrors: true, throwOnConnectError: true });
  const keyv = new Keyv({ store: adapter, namespace: undefined, useKeyPrefix: false, throwOnErrors: true });
  const bus = busOverClients({
    publisher: data,
    ownsPublisher: false,
    connection,
    channel,
    logger,
  });
  let cache: TokenCache;
  try {
    cache = createTokenCache({
      ...options,
      store: keyv,
      invalidationBus: bus,
      storeHooks: redisHooks(data, keyv, options.now ?? Date.now),
    });
  } catch (error) {
    void bus.close().then(() => data.close());
    throw error;
  }
  return {
    ...cache,
    async connected() {
      await Promise.all([data.whenReady(), bus.whenReady()]);
    },
    async close() {
      await cache.close();
      await data.close();
    },
  };
}
