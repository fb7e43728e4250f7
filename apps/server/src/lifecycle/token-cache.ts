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
  /**
   * Called when another replica deleted an instance (`keyId` null) or one of its API keys, e.g. to end this
   * replica's MCP sessions of it. Only the Redis cache receives such messages.
   */
  onRemoteRevocation?: (instanceId: string, keyId: string | null) => void;
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
 * Handles an invalidation applied from another replica: logs it (debug; ids and names only) and passes it on —
 * the instance ids of an invalidation (`undefined` for a whole service or everything), or a revocation.
 */
function invalidationHandler(
  logger: Logger,
  options: Pick<OpenTokenCacheOptions, 'onRemoteInvalidation' | 'onRemoteRevocation'>,
): (message: InvalidationMessage) => void {
  return (message) => {
    const fields: Record<string, unknown> = { kind: message.kind };
    if (message.kind === 'revoked') {
      fields.instanceIds = [message.instanceId];
      if (message.keyId !== null) fields.keyId = message.keyId;
      logger.debug(fields, 'cache invalidation received');
      options.onRemoteInvalidation?.([message.instanceId]);
      options.onRemoteRevocation?.(message.instanceId, message.keyId);
      return;
    }
    const instanceIds =
      message.kind === 'instances' ? message.instances.map((key) => key.instanceId) : undefined;
    if (instanceIds !== undefined) fields.instanceIds = instanceIds;
    if (message.kind === 'service') fields.serviceName = message.serviceName;
    logger.debug(fields, 'cache invalidation received');
    options.onRemoteInvalidation?.(instanceIds);
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
    onInvalidationMessage: invalidationHandler(logger, options),
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
