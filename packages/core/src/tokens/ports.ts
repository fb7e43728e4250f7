import type { InstanceStatus } from '../store/ports.js';

/**
 * One cached credential, with the fields of the original design. Plaintext only in process memory; a shared
 * store (Redis) must hold it encrypted (see `@org/mcp-oauth-cache`).
 */
export interface CachedCredential {
  /** Upstream access token. */
  bearerToken: string;
  /** Upstream refresh token, when the provider issued one. */
  refreshToken: string | null;
  /** Access token expiry in epoch milliseconds; `null` for tokens that never expire. */
  expiresAt: number | null;
  /** Owner of the instance. */
  user_id: string;
  /** Last time a caller used the token (ISO 8601). */
  last_used: string;
  /** Consecutive failed refresh attempts. */
  refresh_attempts: number;
  /** When this entry was cached (ISO 8601). */
  cached_at: string;
  /** When the underlying credential last changed (ISO 8601). */
  last_modified: string;
  /** Instance status at caching time. */
  status: InstanceStatus;
  /** Credential row version the entry was built from; a lower version never overwrites a higher one. */
  version: number;
  /** Scopes granted upstream. */
  grantedScopes: string[];
  tokenType: string;
}

/** Identifies a cache entry: namespaced per service and instance. */
export interface CacheKey {
  serviceName: string;
  instanceId: string;
}

/**
 * The cache the token manager reads first. Implemented by `createTokenCache` in `@org/mcp-oauth-cache`
 * (in-process LRU in front of keyv memory or Redis). Failures of a shared layer must surface as errors; the
 * token manager then falls back to the database.
 */
export interface TokenCachePort {
  get(key: CacheKey): Promise<CachedCredential | undefined>;
  /** Stores the entry unless a newer `version` is already cached. */
  set(key: CacheKey, entry: CachedCredential): Promise<void>;
  /**
   * Removes one instance's entry here and on every other replica. The result is implementation-defined
   * (`@org/mcp-oauth-cache` reports `{removed, verified}`); callers of the port ignore it.
   */
  invalidateInstanceCache(serviceName: string, instanceId: string): Promise<unknown>;
}

/** A lock held across replicas. `release` is idempotent and only releases what this holder owns. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * A cross-replica lock. The database implementation is the authority; a Redis implementation
 * (`SET NX PX` + owner token + compare-and-delete) may be used as a fast path in front of it.
 */
export interface DistributedLock {
  /**
   * Acquires `key`, waiting up to `waitMs`. Returns `null` when it could not be acquired in time.
   * `ttlMs` bounds how long a crashed holder can keep it (where the back-end supports expiry).
   */
  acquire(key: string, options: { waitMs: number; ttlMs: number }): Promise<HeldLock | null>;
}

/** Typed events of the token lifecycle; subscribe with `tokenManager.events.on(name, listener)`. */
export interface TokenEvents {
  expiring: { instanceId: string; serviceName: string; expiresAt: Date };
  refreshed: {
    instanceId: string;
    serviceName: string;
    expiresAt: Date | null;
    rotated: boolean;
    durationMs: number;
  };
  refresh_failed: {
    instanceId: string;
    serviceName: string;
    code: string;
    terminal: boolean;
    attempts: number;
    retryAfterMs: number | undefined;
  };
  needs_reauth: { instanceId: string; serviceName: string; reason: string };
  expired: { instanceId: string; serviceName: string; expiredAt: Date };
  breaker_open: { serviceName: string; scope: 'provider' | 'instance'; instanceId?: string };
  breaker_closed: { serviceName: string; scope: 'provider' | 'instance'; instanceId?: string };
}

/** Name of a token lifecycle event. */
export type TokenEventName = keyof TokenEvents;
