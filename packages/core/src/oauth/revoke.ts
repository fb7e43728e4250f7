import * as oauth from 'oauth4webapi';
import { audit } from './audit.js';
import { clientFor, loadInstance, providerFor } from './client.js';
import type { FlowDeps } from './options.js';
import type { RevokeResult } from './types.js';
import { createUpstream } from './upstream.js';
import { openSecret } from './vault.js';

/** See {@link OAuthFlow.revokeTokens}. */
export async function revokeTokens(
  deps: FlowDeps,
  instanceId: string,
  requestId?: string,
): Promise<RevokeResult> {
  const instance = await loadInstance(deps, instanceId);
  const provider = providerFor(deps, instance.serviceName);
  const credential = await deps.store.credentials.getCredential(instanceId);
  if (!credential) return { revoked: false, detail: 'no tokens stored' };

  let result: RevokeResult;
  try {
    const client = await clientFor(deps, instance);
    const accessToken = await openSecret(
      deps.keyRing,
      'accessToken',
      instanceId,
      credential.accessTokenCiphertext,
    );
    if (provider.revokeToken) {
      await provider.revokeToken({
        token: accessToken,
        client,
        fetch: deps.fetch,
        signal: AbortSignal.timeout(deps.upstreamTimeoutMs),
      });
      result = { revoked: true, detail: 'revoked upstream' };
    } else if (provider.endpoints.revocation) {
      const upstream = createUpstream(deps, provider, client);
      // Revoking the refresh token first: for most providers that ends the whole grant.
      if (credential.refreshTokenCiphertext) {
        const refreshToken = await openSecret(
          deps.keyRing,
          'refreshToken',
          instanceId,
          credential.refreshTokenCiphertext,
        );
        await oauth.processRevocationResponse(
          await oauth.revocationRequest(upstream.as, upstream.client, upstream.clientAuth, refreshToken, {
            ...upstream.requestOptions(),
            additionalParameters: { token_type_hint: 'refresh_token' },
          }),
        );
      }
      try {
        await oauth.processRevocationResponse(
          await oauth.revocationRequest(upstream.as, upstream.client, upstream.clientAuth, accessToken, {
            ...upstream.requestOptions(),
            additionalParameters: { token_type_hint: 'access_token' },
          }),
        );
      } catch (error) {
        // Revoking the refresh token may already have ended the grant (Google): the access token is then
        // unknown upstream, which RFC 7009 providers answer with invalid_token. That is the outcome we wanted.
        const alreadyGone =
          credential.refreshTokenCiphertext !== null &&
          error instanceof oauth.ResponseBodyError &&
          error.error === 'invalid_token';
        if (!alreadyGone) throw error;
      }
      result = { revoked: true, detail: 'revoked upstream' };
    } else {
      result = { revoked: false, detail: 'the provider offers no revocation' };
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    deps.logger.warn(
      { instanceId, code: typeof code === 'string' ? code : undefined },
      'upstream revocation failed',
    );
    result = { revoked: false, detail: 'upstream revocation failed' };
  }
  await audit(deps, deps.store, {
    instanceId,
    actor: 'admin',
    event: 'token.revoked',
    outcome: result.revoked ? 'success' : 'failure',
    requestId,
    details: { detail: result.detail },
  });
  return result;
}
