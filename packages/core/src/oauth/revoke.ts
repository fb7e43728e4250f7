import * as oauth from 'oauth4webapi';
import { McpOAuthError } from '../errors/index.js';
import type { ClientCredentials, ProviderDefinition } from '../provider/types.js';
import { audit } from './audit.js';
import { clientFor, loadInstance, providerFor } from './client.js';
import type { FlowDeps } from './options.js';
import type { RevokeResult } from './types.js';
import { createUpstream } from './upstream.js';
import { openSecret } from './vault.js';

/** Plaintext tokens to revoke (never logged). */
interface UpstreamTokens {
  accessToken: string;
  refreshToken: string | null;
}

/**
 * Revokes `tokens` at the provider: its own `revokeToken` (GitHub), else RFC 7009 at its revocation endpoint.
 * Returns `false` when the provider offers no revocation (nothing was sent).
 * @throws whatever the provider or oauth4webapi throws when the revocation fails.
 */
async function revokeAtProvider(
  deps: FlowDeps,
  provider: ProviderDefinition,
  client: ClientCredentials,
  tokens: UpstreamTokens,
): Promise<boolean> {
  if (provider.revokeToken) {
    await provider.revokeToken({
      token: tokens.accessToken,
      client,
      fetch: deps.fetch,
      signal: AbortSignal.timeout(deps.upstreamTimeoutMs),
    });
    return true;
  }
  if (!provider.endpoints.revocation) return false;
  const upstream = createUpstream(deps, provider, client);
  // Revoking the refresh token first: for most providers that ends the whole grant.
  if (tokens.refreshToken !== null) {
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(upstream.as, upstream.client, upstream.clientAuth, tokens.refreshToken, {
        ...upstream.requestOptions(),
        additionalParameters: { token_type_hint: 'refresh_token' },
      }),
    );
  }
  try {
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(upstream.as, upstream.client, upstream.clientAuth, tokens.accessToken, {
        ...upstream.requestOptions(),
        additionalParameters: { token_type_hint: 'access_token' },
      }),
    );
  } catch (error) {
    // Revoking the refresh token may already have ended the grant (Google): the access token is then
    // unknown upstream, which RFC 7009 providers answer with invalid_token. That is the outcome we wanted.
    const alreadyGone =
      tokens.refreshToken !== null &&
      error instanceof oauth.ResponseBodyError &&
      error.error === 'invalid_token';
    if (!alreadyGone) throw error;
  }
  return true;
}

/** What became of tokens the flow received but did not store (see {@link revokeUnsavedTokens}). */
export type UnsavedTokensOutcome = 'revoked' | 'revocation_failed' | 'not_supported' | 'kept';

/**
 * Best effort, never throws: revokes tokens the provider issued that the flow will not store (the identity
 * lookup failed after the code exchange). Such a token is attributed to nobody yet still valid upstream, and
 * counts against provider caps (GitHub revokes the oldest token of a user, app and scope beyond ten). Kept when
 * the instance already holds tokens: a provider that revokes the whole grant (Google) would also end the tokens
 * the instance is still serving with.
 */
export async function revokeUnsavedTokens(
  deps: FlowDeps,
  provider: ProviderDefinition,
  client: ClientCredentials,
  instanceId: string,
  tokens: UpstreamTokens,
): Promise<UnsavedTokensOutcome> {
  try {
    const outcome: UnsavedTokensOutcome =
      (await deps.store.credentials.getCredential(instanceId)) !== null
        ? 'kept'
        : (await revokeAtProvider(deps, provider, client, tokens))
          ? 'revoked'
          : 'not_supported';
    deps.logger.info({ instanceId, serviceName: provider.id, outcome }, 'unsaved upstream token handled');
    return outcome;
  } catch (error) {
    deps.logger.warn(
      { instanceId, serviceName: provider.id, code: error instanceof McpOAuthError ? error.code : undefined },
      'revoking an unsaved upstream token failed',
    );
    return 'revocation_failed';
  }
}

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
    // Only RFC 7009 revocation sends the refresh token; a provider hook revokes the access token.
    const refreshToken =
      credential.refreshTokenCiphertext && !provider.revokeToken
        ? await openSecret(deps.keyRing, 'refreshToken', instanceId, credential.refreshTokenCiphertext)
        : null;
    result = (await revokeAtProvider(deps, provider, client, { accessToken, refreshToken }))
      ? { revoked: true, detail: 'revoked upstream' }
      : { revoked: false, detail: 'the provider offers no revocation' };
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
