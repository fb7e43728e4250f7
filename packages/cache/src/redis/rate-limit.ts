import { ConfigError, type Logger, type RateLimitStore, silentLogger } from '@org/mcp-oauth-core';
import { unavailable } from '../errors.js';
import { NAMESPACE_PATTERN } from '../key.js';
import { connectionDefaults, createManagedRedisClient, type RedisConnectionOptions } from './client.js';
import { TAKE_TOKEN } from './scripts.js';

/** The one command the rate-limit store sends; a node-redis v5 client satisfies it. */
export interface RedisEvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link createRedisRateLimitStore}: a `url` (the store owns a connection) or a `client`. */
export interface RedisRateLimitStoreOptions extends Partial<RedisConnectionOptions> {
  /** An existing client; `url` is then not used and `close()` leaves the client open. */
  client?: RedisEvalClient;
  /** Prefix of bucket keys. @default 'mcp-oauth:rate' */
  keyPrefix?: string;
  /** @default silentLogger */
  logger?: Logger;
}

/** A {@link RateLimitStore} shared by every replica through Redis. */
export interface RedisRateLimitStore extends RateLimitStore {
  /** Closes the connection the store opened (not a client you passed). */
  close(): Promise<void>;
}

function decision(reply: unknown): { allowed: boolean; remaining: number; retryAfterMs: number } {
  if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((v) => typeof v === 'number')) {
    throw new Error('unexpected reply of the token bucket script');
  }
  const [allowed, remaining, retryAfterMs] = reply as [number, number, number];
  return { allowed: allowed === 1, remaining, retryAfterMs };
}

/**
 * Token buckets in Redis for core's per-instance tool-call limit, so every replica draws from the same bucket:
 * one Lua script refills and takes atomically (hash `tokens`/`at`, expiring once full again). Time is the
 * caller's clock (`now` of the limiter): keep replica clocks in sync (NTP); a replica behind never refills early.
 *
 * @throws ConfigError for invalid options. `take` throws `CacheError` `CACHE_UNAVAILABLE` when Redis fails
 *   (core's MCP handler then lets the call through and logs a warning).
 * @example
 * ```ts
 * const store = createRedisRateLimitStore({ url: 'redis://127.0.0.1:6379' });
 * createHttpHandler({ ...options, toolRateLimit: { capacity: 30, refillPerSecond: 1, store } });
 * ```
 */
export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  const keyPrefix = options.keyPrefix ?? 'mcp-oauth:rate';
  if (!NAMESPACE_PATTERN.test(keyPrefix))
    throw new ConfigError('keyPrefix', 'must match [A-Za-z0-9_.:/-]{1,100}');
  let owned: ReturnType<typeof createManagedRedisClient> | undefined;
  let client: RedisEvalClient;
  if (options.client !== undefined) {
    client = options.client;
  } else {
    if (typeof options.url !== 'string') throw new ConfigError('url', 'is required when no client is given');
    owned = createManagedRedisClient({
      ...connectionDefaults({ ...options, url: options.url }),
      role: 'rate-limit',
      logger: options.logger ?? silentLogger,
      offlineQueue: false,
    });
    client = owned.client as unknown as RedisEvalClient;
  }
  return {
    async take(key, spec, nowMs) {
      await owned?.untilUsable();
      try {
        const reply = await client.eval(TAKE_TOKEN, {
          keys: [`${keyPrefix}:${key}`],
          arguments: [String(spec.capacity), String(spec.refillPerSecond), String(Math.floor(nowMs))],
        });
        return decision(reply);
      } catch (error) {
        throw unavailable('rate limit', error);
      }
    },
    async close() {
      await owned?.close();
    },
  };
}
