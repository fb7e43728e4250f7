import {
  createMemoryRateLimitStore,
  type Logger,
  type RateLimitStore,
  type ToolRateLimitOptions,
} from '@org/mcp-oauth-core';
import type { ToolRateLimitConfig } from './config.js';

/** Options of {@link openToolRateLimit}. */
export interface OpenToolRateLimitOptions {
  /** `ServerConfig.toolRateLimit`; `null` turns the limit off. */
  limit: ToolRateLimitConfig | null;
  /** `REDIS_URL`; `null` keeps the buckets in process memory. Never logged. */
  redisUrl: string | null;
  logger: Logger;
}

/** The tool-call limit of the server, ready for core's `createHttpHandler`. */
export interface OpenedToolRateLimit {
  /** The `toolRateLimit` option of `createHttpHandler`; `undefined` when the limit is off. */
  options: ToolRateLimitOptions | undefined;
  /** Where the buckets live. */
  kind: 'redis' | 'memory' | 'off';
  /** Closes the Redis connection of the buckets (nothing to do otherwise). Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the per-instance limit of MCP tool calls: with `redisUrl`, buckets in Redis
 * (`createRedisRateLimitStore` of `@org/mcp-oauth-cache/redis`), so every replica draws from the same bucket of
 * an instance; otherwise buckets in process memory. Never waits for Redis: while it is unreachable core lets
 * tool calls through and logs a warning (availability over strictness).
 *
 * @example
 * ```ts
 * const rateLimit = await openToolRateLimit({ limit: config.toolRateLimit, redisUrl: config.redisUrl, logger });
 * createHttpHandler({ ...options, toolRateLimit: rateLimit.options });
 * ```
 */
export async function openToolRateLimit(options: OpenToolRateLimitOptions): Promise<OpenedToolRateLimit> {
  const { limit, redisUrl, logger } = options;
  if (limit === null) return { options: undefined, kind: 'off', close: async () => undefined };
  if (redisUrl === null) {
    const store: RateLimitStore = createMemoryRateLimitStore();
    return { options: { ...limit, store }, kind: 'memory', close: async () => undefined };
  }
  // Loaded only when configured: the Redis client libraries are not needed otherwise.
  const { createRedisRateLimitStore } = await import('@org/mcp-oauth-cache/redis');
  const store = createRedisRateLimitStore({ url: redisUrl, logger });
  let closing: Promise<void> | undefined;
  return {
    options: { ...limit, store },
    kind: 'redis',
    close() {
      closing ??= store.close();
      return closing;
    },
  };
}
