import { ConfigError } from '../errors/index.js';
import type { ApiKeyRecord, InstanceRecord } from '../store/ports.js';
import type { Clock } from '../util/types.js';

/** Options of the per-replica cache of authorised principals (API key → key record + instance). */
export interface PrincipalCacheOptions {
  /**
   * How long a resolved key and its instance are reused without reading the store. Bounds how long a change
   * made on another replica (a deleted key or instance) can go unseen when no invalidation reaches this replica;
   * changes made through this handler, and invalidations delivered with {@link HttpHandler.forgetPrincipals},
   * take effect at once. `0` turns the cache off. @default 2_000
   */
  ttlMs?: number;
  /** Most keys held; the oldest entry is dropped beyond. @default 10_000 */
  maxEntries?: number;
}

/** Default {@link PrincipalCacheOptions.ttlMs}. */
export const DEFAULT_PRINCIPAL_TTL_MS = 2_000;
/** Default {@link PrincipalCacheOptions.maxEntries}. */
export const DEFAULT_PRINCIPAL_MAX_ENTRIES = 10_000;

/** A cached principal. `apiKey` is this cache's own copy: `lastUsedAt` is advanced in place after a touch. */
export interface CachedPrincipal {
  apiKey: ApiKeyRecord;
  instance: InstanceRecord;
}

/**
 * Short-lived, in-process memory of which instance an API key unlocks, keyed by the key's SHA-256 (never the
 * key itself). Holds no token or secret: key records carry only hashes and prefixes.
 */
export interface PrincipalCache {
  /** The fresh entry of `keyHash`, if any. */
  get(keyHash: string): CachedPrincipal | undefined;
  /**
   * A counter that every {@link PrincipalCache.forget} advances. Read it before loading a principal from the
   * store and pass it to `set`: a load that raced with a deletion is then not cached.
   */
  epoch(): number;
  /** Caches `principal` unless `forget` ran since `epoch` was read. */
  set(keyHash: string, principal: CachedPrincipal, epoch: number): void;
  /** Drops every entry of the given instances; every entry when omitted. */
  forget(instanceIds?: readonly string[]): void;
  /** Entries held (expired ones included until read or pushed out). */
  readonly size: number;
}

interface Entry extends CachedPrincipal {
  expiresAt: number;
}

function resolve(options: PrincipalCacheOptions): { ttlMs: number; maxEntries: number } {
  const ttlMs = options.ttlMs ?? DEFAULT_PRINCIPAL_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_PRINCIPAL_MAX_ENTRIES;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 0) {
    throw new ConfigError('principalCache.ttlMs', 'must be a non-negative integer');
  }
  if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
    throw new ConfigError('principalCache.maxEntries', 'must be a positive integer');
  }
  return { ttlMs, maxEntries };
}

/**
 * Creates a {@link PrincipalCache}. Entries expire `ttlMs` after they were read from the store (not after last
 * use), so a busy key is re-read from the store at least that often.
 *
 * @throws ConfigError when an option is out of range.
 */
export function createPrincipalCache(options: PrincipalCacheOptions, now: Clock): PrincipalCache {
  const { ttlMs, maxEntries } = resolve(options);
  const entries = new Map<string, Entry>();
  let epoch = 0;
  return {
    get(keyHash) {
      const entry = entries.get(keyHash);
      if (entry === undefined) return undefined;
      if (entry.expiresAt > now()) return entry;
      entries.delete(keyHash);
      return undefined;
    },
    epoch: () => epoch,
    set(keyHash, principal, loadedAt) {
      if (ttlMs === 0 || loadedAt !== epoch) return;
      entries.delete(keyHash);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(keyHash, { ...principal, expiresAt: now() + ttlMs });
    },
    forget(instanceIds) {
      epoch++;
      if (instanceIds === undefined) {
        entries.clear();
        return;
      }
      const wanted = new Set(instanceIds.map((id) => id.toLowerCase()));
      for (const [keyHash, entry] of entries) {
        if (wanted.has(entry.instance.instanceId.toLowerCase())) entries.delete(keyHash);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
