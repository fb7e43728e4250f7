import { createTokenCache, type InvalidationMessage, type TokenCache } from '@org/mcp-oauth-cache';
import type { Clock, DistributedLock, KeyRing, Logger } from '@org/mcp-oauth-core';

/** Options of {@link openTokenCache}. */
export interface OpenTokenCacheOptions {
  /** `REDIS_URL`; `null` keeps the cache in process memory. Never logged. */
  redisUrl: string | null;
  keyRing: KeyRing;
  logger: Logger;
  now?: Clock;
  /**
   * Called with the instance ids another replica invalidated (`undefined`: all of them), e.g. to forget cached
   * API-key resolutions of a deleted key or instance at once. Only the Redis cache receives such messages.
   */
  onRemoteInvalidation?: (instanceIds: readonly string[] | undefined) => void;
}

/** The token cache of the server and the Redis fast-path lock that goes with it. */
export interface OpenedTokenCache {
  cache: TokenCache;
  /** Redis `SET NX PX` lock in front of the database lock; `undefined` without Redis. */
  fastLock: DistributedLock | undefined;
  kind: 'redis' | 'memory';
  /** Closes the cache (its Redis connections) and the lock's connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Handles an invalidation applied from another replica: logs it (debug; ids and names only) and passes the
 * instance ids on (`undefined` for a whole service or everything).
 */
function invalidationHandler(
  logger: Logger,
  onRemoteInvalidation: OpenTokenCacheOptions['onRemoteInvalidation'],
): (message: InvalidationMessage) => void {
  return (message) => {
    const fields: Record<string, unknown> = { kind: message.kind };
    const instanceIds =
      message.kind === 'instances' ? message.instances.map((key) => key.instanceId) : undefined;
    if (instanceIds !== undefined) fields.instanceIds = instanceIds;
    if (message.kind === 'service') fields.serviceName = message.serviceName;
    logger.debug(fields, 'cache invalidation received');
    onRemoteInvalidation?.(instanceIds);
  };
}

/**
 * Opens the token cache: with `redisUrl`, the Redis variant of `@org/mcp-oauth-cache` (shared encrypted
 * entries, invalidations over pub/sub) plus a Redis lock; otherwise the in-process cache. Never waits for Redis:
 * connections are opened in the background and re-opened forever, so start-up and readiness do not depend on it.
 *
 * @example
 * ```ts
 * const { cache, fastLock, close } = await openTokenCache({ redisUrl: config.redisUrl, keyRing, logger });
 * ```
 */
export async function openTokenCache(options: OpenTokenCacheOptions): Promise<OpenedTokenCache> {
  const { redisUrl, keyRing, logger, now } = options;
  if (redisUrl === null) {
    const cache = createTokenCache({ keyRing, logger, now });
    return { cache, fastLock: undefined, kind: 'memory', close: () => cache.close() };
  }
  // Loaded only when configured: the Redis client libraries are not needed otherwise.
  const { createRedisLock, createRedisTokenCache } = await import('@org/mcp-oauth-cache/redis');
  const cache = createRedisTokenCache({
    url: redisUrl,
    keyRing,
    logger,
    now,
    onInvalidationMessage: invalidationHandler(logger, options.onRemoteInvalidation),
  });
  const lock = createRedisLock({ url: redisUrl, logger });
  let closing: Promise<void> | undefined;
  return {
    cache,
    fastLock: lock,
    kind: 'redis',
    close() {
      closing ??= Promise.allSettled([cache.close(), lock.close()]).then(() => undefined);
      return closing;
    },
  };
}
