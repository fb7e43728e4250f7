import { type CacheKey, type EncryptionContext, INSTANCE_STATUSES, type KeyRing } from '@org/mcp-oauth-core';
import { CacheError } from './errors.js';
import type { CacheEntry, StoredEnvelope } from './types.js';

/** Binds a cache ciphertext to its service and instance (AES-GCM AAD). */
export function encryptionContextOf(key: CacheKey): EncryptionContext {
  return { table: 'cache', column: `entry:${key.serviceName}`, instanceId: key.instanceId };
}

const STATUSES: ReadonlySet<string> = new Set(INSTANCE_STATUSES);

function isNullableNumber(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

/** Shape check of a cache entry (from a caller, or decrypted from the store). */
export function isCacheEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.bearerToken === 'string' &&
    (e.refreshToken === null || typeof e.refreshToken === 'string') &&
    isNullableNumber(e.expiresAt) &&
    typeof e.user_id === 'string' &&
    typeof e.last_used === 'string' &&
    typeof e.refresh_attempts === 'number' &&
    typeof e.cached_at === 'string' &&
    typeof e.last_modified === 'string' &&
    typeof e.status === 'string' &&
    STATUSES.has(e.status) &&
    Number.isSafeInteger(e.version) &&
    Array.isArray(e.grantedScopes) &&
    e.grantedScopes.every((scope) => typeof scope === 'string') &&
    typeof e.tokenType === 'string'
  );
}

/** An immutable copy of `entry`, so callers cannot change what the cache holds. */
export function frozenCopy(entry: CacheEntry): CacheEntry {
  return Object.freeze({ ...entry, grantedScopes: Object.freeze([...entry.grantedScopes]) as string[] });
}

/** Validates an entry given to `set`. @throws CacheError `CACHE_INVALID_ENTRY` (names no value). */
export function assertCacheEntry(entry: unknown): asserts entry is CacheEntry {
  if (!isCacheEntry(entry)) {
    throw new CacheError('CACHE_INVALID_ENTRY', 'Cache entry is missing fields or has wrong types');
  }
}

/** Shape check of a stored envelope; anything else in the store is treated as corrupt. */
export function isStoredEnvelope(value: unknown): value is StoredEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    e.format === 1 &&
    Number.isSafeInteger(e.version) &&
    typeof e.status === 'string' &&
    STATUSES.has(e.status) &&
    isNullableNumber(e.expiresAt) &&
    typeof e.storedUntil === 'number' &&
    typeof e.ciphertext === 'string'
  );
}

/** Encrypts `entry` into the envelope written to the shared store. */
export async function sealEntry(
  keyRing: KeyRing,
  key: CacheKey,
  entry: CacheEntry,
  storedUntil: number,
): Promise<StoredEnvelope> {
  return {
    format: 1,
    version: entry.version,
    status: entry.status,
    expiresAt: entry.expiresAt,
    storedUntil,
    ciphertext: await keyRing.encrypt(JSON.stringify(entry), encryptionContextOf(key)),
  };
}

/**
 * Decrypts an envelope. @throws CryptoError (key removed, tampered, bound elsewhere) or CacheError
 * `CACHE_INVALID_ENTRY` (plaintext is not an entry, or its version disagrees with the envelope's).
 */
export async function openEntry(
  keyRing: KeyRing,
  key: CacheKey,
  envelope: StoredEnvelope,
): Promise<CacheEntry> {
  const plaintext = await keyRing.decrypt(envelope.ciphertext, encryptionContextOf(key));
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    parsed = undefined;
  }
  if (!isCacheEntry(parsed) || parsed.version !== envelope.version) {
    throw new CacheError('CACHE_INVALID_ENTRY', 'Stored cache entry is malformed');
  }
  return frozenCopy(parsed);
}

/** `true` when the envelope's key id is in the ring (cheap check without decrypting). */
export function isDecryptableKeyId(keyRing: KeyRing, envelope: StoredEnvelope): boolean {
  try {
    return keyRing.keyIds.includes(keyRing.keyIdOf(envelope.ciphertext));
  } catch {
    return false;
  }
}
