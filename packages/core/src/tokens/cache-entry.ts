import type { KeyRing } from '../crypto/types.js';
import type { InstanceRecord, Store } from '../store/ports.js';
import type { Clock } from '../util/types.js';
import { isDue, toAccessToken, toCacheEntry } from './credential-view.js';
import type { CachedCredential } from './ports.js';

/** Options of {@link readCacheEntry}. */
export interface ReadCacheEntryOptions {
  store: Store;
  /** Decrypts the stored access token. */
  keyRing: KeyRing;
  /** @default Date.now */
  now?: Clock;
  /** Tokens expiring within this margin are not returned (the token manager refreshes them). @default 300_000 */
  refreshMarginMs?: number;
}

/**
 * The token cache entry of an instance, built from the database without calling the provider — the same entry
 * the token manager caches. For a host's cache warm-up, `POST /cache-tokens` and cache synchronisation.
 * Resolves `undefined` when the instance is not `active`, has no stored tokens, or its access token is within
 * `refreshMarginMs` of expiry. The entry holds the plaintext access token: keep it in the cache only.
 *
 * @throws StoreError when the database fails; CryptoError when the token cannot be decrypted.
 * @example
 * ```ts
 * const entry = await readCacheEntry({ store, keyRing }, instance);
 * if (entry) await cache.set({ serviceName: instance.serviceName, instanceId: instance.instanceId }, entry);
 * ```
 */
export async function readCacheEntry(
  options: ReadCacheEntryOptions,
  instance: InstanceRecord,
): Promise<CachedCredential | undefined> {
  if (instance.status !== 'active') return undefined;
  const credential = await options.store.credentials.getCredential(instance.instanceId);
  if (credential === null) return undefined;
  const now = (options.now ?? Date.now)();
  if (isDue(credential.expiresAt, now, options.refreshMarginMs ?? 300_000)) return undefined;
  const loaded = { instance, credential };
  return toCacheEntry(loaded, await toAccessToken(options.keyRing, loaded), now);
}
