import { McpOAuthError } from '@org/mcp-oauth-core';

/** Codes of {@link CacheError}. */
export type CacheErrorCode =
  | 'CACHE_UNAVAILABLE'
  | 'CACHE_CLOSED'
  | 'CACHE_UNSUPPORTED'
  | 'CACHE_INVALID_ENTRY'
  | 'CACHE_LOCK_INVALID';

/**
 * A token cache or Redis lock operation failed.
 *
 * `CACHE_UNAVAILABLE`: the shared store (keyv, Redis) failed, timed out or is disconnected; callers fall back to
 * the database. `CACHE_CLOSED`: the cache was closed. `CACHE_UNSUPPORTED`: the store cannot list keys (needed by
 * `emergencyCacheClear` and `cleanupInvalidCacheEntries`). `CACHE_INVALID_ENTRY`: `set` got a malformed entry.
 * `CACHE_LOCK_INVALID`: a lock was asked for with an invalid key, wait or ttl. Messages never contain tokens;
 * the driver error is kept as the non-enumerable `cause`.
 */
export class CacheError extends McpOAuthError<CacheErrorCode> {}

/** Wraps a store failure in `CACHE_UNAVAILABLE` (keeps an existing {@link CacheError} as is). */
export function unavailable(operation: string, cause: unknown): CacheError {
  if (cause instanceof CacheError) return cause;
  return new CacheError('CACHE_UNAVAILABLE', `Shared cache store failed during ${operation}`, { cause });
}
