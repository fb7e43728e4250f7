import type { KeyRing } from '../crypto/types.js';
import { InstanceError } from '../errors/index.js';
import type { AccessToken } from '../oauth/types.js';
import { openSecret } from '../oauth/vault.js';
import type { CredentialRecord, InstanceRecord, Store } from '../store/ports.js';
import type { CachedCredential } from './ports.js';

/** An instance and its credential row, as read together from the database (internal). */
export interface LoadedCredential {
  instance: InstanceRecord;
  credential: CredentialRecord;
}

/** True when the access token expires within `marginMs` of `now` (never for tokens without expiry). */
export function isDue(expiresAt: Date | number | null, now: number, marginMs: number): boolean {
  if (expiresAt === null) return false;
  return (typeof expiresAt === 'number' ? expiresAt : expiresAt.getTime()) - marginMs <= now;
}

/** True while the access token has not expired. */
export function isUnexpired(expiresAt: Date | null, now: number): boolean {
  return expiresAt === null || expiresAt.getTime() > now;
}

/**
 * True when the stored tokens were rewritten between two reads (another replica refreshed, or a
 * re-authorization saved new ones). `version` alone is not enough: recording a failed attempt bumps it too.
 */
export function tokensChanged(before: CredentialRecord, after: CredentialRecord): boolean {
  return (
    before.accessTokenCiphertext !== after.accessTokenCiphertext ||
    before.refreshTokenCiphertext !== after.refreshTokenCiphertext
  );
}

/** Refuses instances that cannot hand out a token. @throws InstanceError */
export function assertUsable(instance: InstanceRecord): void {
  if (instance.status === 'needs_reauth' || instance.status === 'revoked') {
    throw new InstanceError(
      'INSTANCE_NEEDS_REAUTH',
      'This account must be reconnected: its authorization was revoked or expired.',
    );
  }
  if (instance.status !== 'active' && instance.status !== 'expired') {
    throw new InstanceError(
      'INSTANCE_NOT_ACTIVE',
      `The instance is not connected (status ${instance.status}).`,
    );
  }
}

/**
 * Reads the instance and its credential (two queries) and checks the instance can be used.
 * @throws InstanceError `INSTANCE_NOT_FOUND`, `INSTANCE_NEEDS_REAUTH`, `INSTANCE_NOT_ACTIVE`.
 */
export async function loadCredential(store: Store, instanceId: string): Promise<LoadedCredential> {
  const instance = await store.instances.getInstance(instanceId);
  if (instance === null) throw new InstanceError('INSTANCE_NOT_FOUND', 'Instance not found.');
  assertUsable(instance);
  const credential = await store.credentials.getCredential(instanceId);
  if (credential === null)
    throw new InstanceError('INSTANCE_NOT_ACTIVE', 'The instance has no stored tokens.');
  return { instance, credential };
}

/** Decrypts the access token of a loaded credential. */
export async function toAccessToken(keyRing: KeyRing, loaded: LoadedCredential): Promise<AccessToken> {
  const { instance, credential } = loaded;
  return {
    accessToken: await openSecret(
      keyRing,
      'accessToken',
      instance.instanceId,
      credential.accessTokenCiphertext,
    ),
    tokenType: credential.tokenType,
    expiresAt: credential.expiresAt,
    grantedScopes: credential.grantedScopes,
    instance,
  };
}

/**
 * The cache entry of a credential. The refresh token is deliberately not cached (`null`): a refresh must use
 * the row read under the refresh lock, never a possibly stale copy, and fewer copies of it exist this way.
 */
export function toCacheEntry(loaded: LoadedCredential, token: AccessToken, now: number): CachedCredential {
  const { instance, credential } = loaded;
  return {
    bearerToken: token.accessToken,
    refreshToken: null,
    expiresAt: credential.expiresAt?.getTime() ?? null,
    user_id: instance.userId,
    last_used: (instance.lastUsedAt ?? new Date(now)).toISOString(),
    refresh_attempts: credential.refreshAttempts,
    cached_at: new Date(now).toISOString(),
    last_modified: credential.updatedAt.toISOString(),
    status: instance.status,
    version: credential.version,
    grantedScopes: [...credential.grantedScopes],
    tokenType: credential.tokenType,
  };
}

/** An access token served from a cache entry, with the instance record the caller or the memo supplied. */
export function fromCacheEntry(entry: CachedCredential, instance: InstanceRecord): AccessToken {
  return {
    accessToken: entry.bearerToken,
    tokenType: entry.tokenType,
    expiresAt: entry.expiresAt === null ? null : new Date(entry.expiresAt),
    grantedScopes: [...entry.grantedScopes],
    instance: instance.status === entry.status ? instance : { ...instance, status: entry.status },
  };
}
