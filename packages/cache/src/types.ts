import type { InstanceStatus } from '@org/mcp-oauth-core';

/**
 * One cached credential, with the fields of the original design. Values are plaintext only in process
 * memory; a shared store (Redis) holds them encrypted with core's key ring.
 */
export interface CacheEntry {
  /** Upstream access token. */
  bearerToken: string;
  /** Upstream refresh token, when the provider issued one. */
  refreshToken: string | null;
  /** Access token expiry in epoch milliseconds; `null` for tokens that never expire. */
  expiresAt: number | null;
  /** Owner of the instance. */
  user_id: string;
  /** Last time a tool call used the token (ISO 8601). */
  last_used: string;
  /** Consecutive failed refresh attempts. */
  refresh_attempts: number;
  /** When this entry was cached (ISO 8601). */
  cached_at: string;
  /** When the underlying credential last changed (ISO 8601). */
  last_modified: string;
  /** Instance status at caching time. */
  status: InstanceStatus;
  /** Credential row version the entry was built from (optimistic concurrency). */
  version: number;
}

/** Cache key parts: entries are namespaced per service and instance. */
export interface CacheKey {
  serviceName: string;
  instanceId: string;
}

/** An instance to invalidate in bulk. */
export type InvalidationTarget = CacheKey;

/** The token cache contract implemented by `createTokenCache` (next release) and usable by core's token manager. */
export interface TokenCache {
  get(key: CacheKey): Promise<CacheEntry | undefined>;
  set(key: CacheKey, entry: CacheEntry): Promise<void>;
  /** Removes one instance's entry on every replica. */
  invalidateInstanceCache(serviceName: string, instanceId: string): Promise<void>;
  bulkInvalidateCache(instances: readonly InvalidationTarget[]): Promise<number>;
  /** Drops every entry of a service on every replica. */
  emergencyCacheClear(serviceName: string): Promise<number>;
  /** Removes entries that are expired, for non-active instances, or otherwise invalid. */
  cleanupInvalidCacheEntries(reason: string): Promise<number>;
  close(): Promise<void>;
}
