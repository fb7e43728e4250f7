import type {
  CachedCredential,
  CacheKey,
  Clock,
  InstanceStatus,
  KeyRing,
  Logger,
  TokenCachePort,
} from '@org/mcp-oauth-core';
import type { Keyv } from 'keyv';
import type { InvalidationBus, InvalidationMessage } from './bus.js';
import type {
  SyncHandle,
  SyncLoader,
  SyncOptions,
  SyncReport,
  WarmUpHandle,
  WarmUpLoader,
} from './sync-types.js';

/** The original design's name for a cached credential; the same shape as core's `CachedCredential`. */
export type CacheEntry = CachedCredential;

/** What an invalidation did: how many entries it removed and whether a read-back found none left. */
export interface InvalidationReport {
  /** Entries that existed (in this process or in the shared store) and were removed. */
  removed: number;
  /** `true` when reading the keys back (shared store and this process) found nothing. */
  verified: boolean;
}

/** Result of {@link TokenCache.cleanupInvalidCacheEntries}, with the count per cause. */
export interface CleanupReport extends InvalidationReport {
  /** The caller's label, echoed back (logged, never interpreted). */
  reason: string;
  /** Access token expired, or the entry outlived its store lifetime. */
  expired: number;
  /** Instance status was not `active`. */
  inactive: number;
  /** Could not be decrypted with the key ring (key removed, tampered) or was malformed. */
  undecryptable: number;
}

/** Counters since the cache was created, for `/health` and metrics. No keys, no tokens. */
export interface CacheStats {
  /** `get` calls answered from the in-process LRU or the shared store. */
  hits: number;
  /** Of `hits`, answered by the in-process LRU. */
  localHits: number;
  /** Of `hits`, answered by the shared store. */
  sharedHits: number;
  /** `get` calls that found nothing usable. */
  misses: number;
  /** `hits / (hits + misses)`, 0 before the first `get`. */
  hitRatio: number;
  /** Entries written. */
  sets: number;
  /** `set` calls ignored because a newer `version` was already cached. */
  staleSetsIgnored: number;
  /** Entries removed by invalidations (local calls and messages from other replicas). */
  invalidations: number;
  /** Shared store failures (each surfaced to the caller as `CACHE_UNAVAILABLE`). */
  errors: number;
  /** Entries in the in-process LRU now. */
  localEntries: number;
}

/**
 * What a shared store entry looks like inside keyv. Only `ciphertext` is secret (encrypted with the key ring,
 * bound to the service and instance); the other fields are kept in clear so stores can compare versions.
 */
export interface StoredEnvelope {
  format: 1;
  /** Credential row version. */
  version: number;
  status: InstanceStatus;
  /** Access token expiry (epoch ms) or `null`. */
  expiresAt: number | null;
  /** End of the entry's life in the cache's clock (epoch ms). */
  storedUntil: number;
  /** The encrypted JSON of the {@link CacheEntry}. */
  ciphertext: string;
}

/**
 * Optional fast paths a store adapter can give {@link createTokenCache}; `createRedisTokenCache` supplies all of
 * them. Without `scanKeys`, the keyv instance's iterator is used (memory and most adapters have one).
 */
export interface StoreHooks {
  /** Yields every store key that starts with `prefix`. */
  scanKeys?(prefix: string): AsyncIterable<string>;
  /** Atomically stores `envelope` unless the stored one has a higher `version`; `false` when it was older. */
  setIfNotOlder?(storeKey: string, envelope: StoredEnvelope, ttlMs: number | undefined): Promise<boolean>;
  /** A cheap round trip to the store (for `/health`). */
  ping?(): Promise<void>;
  /** Awaited (when it returns a promise) before each store operation, e.g. while a first connection opens. */
  beforeOperation?(): Promise<void> | undefined;
}

/** Runs the background synchronisation; defaults to `setInterval` with `unref()`. */
export interface Scheduler {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Options of {@link createTokenCache}. Validated once; a bad value throws `ConfigError` naming the option. */
export interface TokenCacheOptions {
  /** Encrypts every value written to the keyv store (the in-process LRU holds plaintext). */
  keyRing: KeyRing;
  /**
   * The shared layer. Any keyv instance; the cache sets `throwOnErrors = true` on it so failures surface.
   * @default a new in-memory Keyv (process-local)
   */
  store?: Keyv;
  /** First part of every key; must match `[A-Za-z0-9_.:/-]{1,100}`. @default 'mcp-oauth' */
  namespace?: string;
  /** Maximum entries in the in-process LRU. @default 10_000 */
  lruMaxEntries?: number;
  /** Lifetime of an in-process LRU entry (ms); bounds how long a missed invalidation can matter. @default 300_000 */
  lruTtlMs?: number;
  /** Lifetime of a shared store entry (ms). @default 3_600_000 */
  storeTtlMs?: number;
  /** Carries invalidations to other replicas. @default a no-op bus (single replica) */
  invalidationBus?: InvalidationBus;
  /** Store-specific fast paths (see {@link StoreHooks}). */
  storeHooks?: StoreHooks;
  /** @default Date.now */
  now?: Clock;
  /** @default silentLogger */
  logger?: Logger;
  /** Timers of `startSync`. @default setInterval with unref() */
  scheduler?: Scheduler;
  /** Called after a message from another replica was applied to the LRU (metrics, tests). */
  onInvalidationMessage?: (message: InvalidationMessage) => void;
}

/**
 * The token cache: core's `TokenCachePort` plus the original design's invalidation API, stats, and the
 * database synchronisation. Create it with {@link createTokenCache} or `createRedisTokenCache`.
 */
export interface TokenCache extends TokenCachePort {
  /** Random id of this cache instance; invalidation messages carry it so a replica ignores its own. */
  readonly id: string;
  /**
   * The entry, from the in-process LRU or else the shared store (then kept in the LRU).
   * @throws CacheError `CACHE_UNAVAILABLE` when the shared store fails (fall back to the database).
   */
  get(key: CacheKey): Promise<CacheEntry | undefined>;
  /**
   * Stores the entry in the shared store (encrypted) and the LRU, unless a higher `version` is cached.
   * @throws CacheError `CACHE_UNAVAILABLE` (store failed or `set` returned false), `CACHE_INVALID_ENTRY`.
   */
  set(key: CacheKey, entry: CacheEntry): Promise<void>;
  /** Removes one instance's entry here, in the shared store and (through the bus) on every replica. */
  invalidateInstanceCache(serviceName: string, instanceId: string): Promise<InvalidationReport>;
  /**
   * Tells every other replica that an instance (no `keyId`) or one of its API keys was deleted, so they end what
   * they hold for it; no cached token changes. They receive it through `onInvalidationMessage` (`kind: 'revoked'`).
   * @throws CacheError `CACHE_UNAVAILABLE` when the bus fails.
   */
  announceRevocation(instanceId: string, keyId?: string): Promise<void>;
  /** {@link TokenCache.invalidateInstanceCache} for many instances at once. */
  bulkInvalidateCache(instances: readonly CacheKey[]): Promise<InvalidationReport>;
  /** Drops every entry of a service everywhere. @throws CacheError `CACHE_UNSUPPORTED` if keys can't be listed. */
  emergencyCacheClear(serviceName: string): Promise<InvalidationReport>;
  /** Removes expired, non-active and undecryptable entries everywhere; `reason` is only logged and echoed. */
  cleanupInvalidCacheEntries(reason: string): Promise<CleanupReport>;
  /** Counters for `/health`. */
  stats(): CacheStats;
  /** A round trip to the shared store. @throws CacheError `CACHE_UNAVAILABLE`. */
  ping(): Promise<void>;
  /**
   * Resolves once the invalidation subscription is active (at once for the no-op bus). Never rejects; do not
   * gate readiness on it (it waits while Redis is down).
   */
  ready(): Promise<void>;
  /** Compares the in-process entries with the database once and repairs divergences. */
  syncNow(load: SyncLoader): Promise<SyncReport>;
  /** Runs {@link TokenCache.syncNow} every `intervalMs` in the background until stopped or closed. */
  startSync(options: SyncOptions): SyncHandle;
  /** Fills the cache in the background; returns at once (never blocks readiness). */
  warmUp(load: WarmUpLoader): WarmUpHandle;
  /** Stops sync timers and the bus subscription. The keyv store you passed in stays open. */
  close(): Promise<void>;
}
