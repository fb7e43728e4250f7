import { InstanceError, RefreshError } from '../errors/index.js';
import { loadInstance } from './client.js';
import type { FlowDeps } from './options.js';
import { refreshTokens } from './refresh.js';
import type { AccessToken } from './types.js';
import { openSecret } from './vault.js';

/**
 * See {@link OAuthFlow.getAccessToken}. This is the plain path (database → refresh when due); the token manager
 * of `createTokenManager` adds caching, single-flight and a breaker in front of it.
 */
export async function getAccessToken(
  deps: FlowDeps,
  instanceId: string,
  requestId?: string,
): Promise<AccessToken> {
  let instance = await loadInstance(deps, instanceId);
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
  let credential = await deps.store.credentials.getCredential(instanceId);
  if (!credential) throw new InstanceError('INSTANCE_NOT_ACTIVE', 'The instance has no stored tokens.');

  const now = deps.now();
  const due = credential.expiresAt !== null && credential.expiresAt.getTime() - deps.refreshMarginMs <= now;
  if (due) {
    if (!credential.refreshTokenCiphertext) {
      if (credential.expiresAt !== null && credential.expiresAt.getTime() <= now) {
        throw new InstanceError(
          'INSTANCE_NEEDS_REAUTH',
          'The access token expired and cannot be refreshed; reconnect the account.',
        );
      }
    } else {
      try {
        await refreshTokens(deps, instanceId, { requestId });
      } catch (error) {
        // Transient failure while the current token is still valid: keep serving it.
        const stillValid = credential.expiresAt !== null && credential.expiresAt.getTime() > now;
        if (!(error instanceof RefreshError && !error.terminal && stillValid)) {
          if (error instanceof RefreshError && error.terminal) {
            throw new InstanceError(
              'INSTANCE_NEEDS_REAUTH',
              'This account must be reconnected: the provider rejected the refresh.',
              {
                cause: error,
              },
            );
          }
          throw error;
        }
      }
      instance = await loadInstance(deps, instanceId);
      credential = (await deps.store.credentials.getCredential(instanceId)) ?? credential;
    }
  }
  return {
    accessToken: await openSecret(deps.keyRing, 'accessToken', instanceId, credential.accessTokenCiphertext),
    tokenType: credential.tokenType,
    expiresAt: credential.expiresAt,
    grantedScopes: credential.grantedScopes,
    instance,
  };
}
