import type { CredentialRecord, Store } from '../store/ports.js';
import type { FlowDeps } from './options.js';
import type { IssuedTokens } from './token-response.js';
import { sealSecret } from './vault.js';

/**
 * Encrypts and saves issued tokens with a version check. When the provider returned no refresh token, the
 * previous one is kept (Google omits it on refresh; losing it would force a re-authorization).
 * @throws StoreError `STORE_CONFLICT` when the row changed since `previous` was read.
 */
export async function saveIssuedTokens(
  deps: FlowDeps,
  store: Store,
  instanceId: string,
  tokens: IssuedTokens,
  previous: CredentialRecord | null,
): Promise<CredentialRecord> {
  const refreshTokenCiphertext = tokens.refreshToken
    ? await sealSecret(deps.keyRing, 'refreshToken', instanceId, tokens.refreshToken)
    : (previous?.refreshTokenCiphertext ?? null);
  const keepsOldRefresh = !tokens.refreshToken && previous?.refreshTokenCiphertext;
  return store.credentials.saveCredential(
    {
      instanceId,
      accessTokenCiphertext: await sealSecret(deps.keyRing, 'accessToken', instanceId, tokens.accessToken),
      refreshTokenCiphertext,
      // Key id of the access token; a kept refresh token may still be under an older key until rotate-keys runs.
      keyId: keepsOldRefresh && previous ? previous.keyId : deps.keyRing.activeKeyId,
      tokenType: tokens.tokenType,
      grantedScopes: tokens.grantedScopes,
      expiresAt: tokens.expiresAt,
      refreshExpiresAt: tokens.refreshToken ? tokens.refreshExpiresAt : (previous?.refreshExpiresAt ?? null),
      refreshAttempts: 0,
      lastRefreshAt: previous ? new Date(deps.now()) : null,
      lastRefreshError: null,
    },
    previous?.version ?? null,
  );
}
