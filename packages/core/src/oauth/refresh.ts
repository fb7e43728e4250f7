import * as oauth from 'oauth4webapi';
import { RefreshError, StoreError } from '../errors/index.js';
import type { CredentialRecord } from '../store/ports.js';
import { audit } from './audit.js';
import { classifyRefreshFailure } from './classify.js';
import { clientFor, loadInstance, providerFor } from './client.js';
import type { FlowDeps } from './options.js';
import { saveIssuedTokens } from './save-tokens.js';
import { readTokenResponse } from './token-response.js';
import type { RefreshResult, RefreshTokensOptions } from './types.js';
import { createUpstream } from './upstream.js';
import { openSecret } from './vault.js';

/** Records a failed attempt on the credential row; the message is already free of secrets. */
async function recordFailure(
  deps: FlowDeps,
  credential: CredentialRecord,
  failure: RefreshError,
): Promise<void> {
  try {
    await deps.store.credentials.saveCredential(
      {
        ...credential,
        refreshAttempts: credential.refreshAttempts + 1,
        lastRefreshError: `${failure.code}: ${failure.message}`.slice(0, 500),
      },
      credential.version,
    );
  } catch (error) {
    // A concurrent writer saved newer tokens; its row is the truth and must not be overwritten.
    if (!(error instanceof StoreError && error.code === 'STORE_CONFLICT')) throw error;
  }
}

/** See {@link OAuthFlow.refreshTokens}. */
export async function refreshTokens(
  deps: FlowDeps,
  instanceId: string,
  options: RefreshTokensOptions = {},
): Promise<RefreshResult> {
  const { requestId } = options;
  const markTerminal = (options.onTerminal ?? 'mark') === 'mark';
  const instance = await loadInstance(deps, instanceId);
  const provider = providerFor(deps, instance.serviceName);
  const credential = await deps.store.credentials.getCredential(instanceId);
  if (!credential?.refreshTokenCiphertext) {
    throw new RefreshError(
      'REFRESH_NOT_SUPPORTED',
      'This instance has no refresh token; its token does not expire or must be re-authorized.',
    );
  }
  const refreshToken = await openSecret(
    deps.keyRing,
    'refreshToken',
    instanceId,
    credential.refreshTokenCiphertext,
  );
  const upstream = createUpstream(deps, provider, await clientFor(deps, instance));

  let response: oauth.TokenEndpointResponse;
  try {
    const raw = await oauth.refreshTokenGrantRequest(
      upstream.as,
      upstream.client,
      upstream.clientAuth,
      refreshToken,
      upstream.requestOptions(),
    );
    response = await oauth.processRefreshTokenResponse(upstream.as, upstream.client, raw);
  } catch (error) {
    const failure = classifyRefreshFailure(error, upstream.lastResponse(), deps.now());
    await recordFailure(deps, credential, failure);
    const needsReauth = failure.terminal && markTerminal;
    if (needsReauth) {
      await deps.store.instances.updateInstance(instanceId, { status: 'needs_reauth' });
    }
    await audit(deps, deps.store, {
      instanceId,
      actor: 'system',
      event: needsReauth ? 'token.needs_reauth' : 'token.refresh_failed',
      outcome: 'failure',
      requestId,
      details: {
        code: failure.code,
        providerError: failure.providerError,
        status: failure.status,
        terminal: failure.terminal,
      },
    });
    throw failure;
  }

  const issued = readTokenResponse(provider, response, deps.now(), credential.grantedScopes);
  // Saved before anything else: with rotating refresh tokens the old one is already dead upstream.
  const saved = await saveIssuedTokens(deps, deps.store, instanceId, issued, credential);
  if (instance.status !== 'active')
    await deps.store.instances.updateInstance(instanceId, { status: 'active' });
  await audit(deps, deps.store, {
    instanceId,
    actor: 'system',
    event: 'token.refreshed',
    outcome: 'success',
    requestId,
    details: { rotated: issued.refreshToken !== null, expiresAt: issued.expiresAt?.toISOString() ?? null },
  });
  return {
    instanceId,
    expiresAt: saved.expiresAt,
    rotated: issued.refreshToken !== null,
    version: saved.version,
  };
}
