import * as oauth from 'oauth4webapi';
import { sha256Hex } from '../crypto/hash.js';
import { McpOAuthError, OAuthFlowError } from '../errors/index.js';
import type { OAuthStateRecord } from '../store/ports.js';
import { audit } from './audit.js';
import { safeOAuthError } from './classify.js';
import { clientFor, loadInstance, providerFor } from './client.js';
import type { FlowDeps } from './options.js';
import { revokeUnsavedTokens, type UnsavedTokensOutcome } from './revoke.js';
import { saveIssuedTokens } from './save-tokens.js';
import { readTokenResponse } from './token-response.js';
import type { CallbackResult } from './types.js';
import { createUpstream, type ResponseInfo } from './upstream.js';
import { openSecret } from './vault.js';

const MAX_PARAM = 2048;

/** Consumes the state exactly once and checks it belongs to this service and is not expired. */
async function consumeState(
  deps: FlowDeps,
  serviceName: string,
  state: string | null,
  seen: (record: OAuthStateRecord) => void,
): Promise<OAuthStateRecord> {
  if (!state) throw new OAuthFlowError('OAUTH_STATE_MISSING', 'The callback has no state parameter.');
  if (state.length > MAX_PARAM)
    throw new OAuthFlowError('OAUTH_STATE_UNKNOWN', 'The state is not recognised.');
  const result = await deps.store.states.consumeState(await sha256Hex(state), new Date(deps.now()));
  if (result.outcome === 'unknown')
    throw new OAuthFlowError('OAUTH_STATE_UNKNOWN', 'The state is not recognised.');
  seen(result.state);
  if (result.outcome === 'already_consumed') {
    throw new OAuthFlowError(
      'OAUTH_STATE_USED',
      'The state was already used; start the authorization again.',
    );
  }
  if (result.state.serviceName !== serviceName) {
    throw new OAuthFlowError('OAUTH_STATE_SERVICE_MISMATCH', 'The state was issued for another service.');
  }
  if (result.state.expiresAt.getTime() <= deps.now()) {
    throw new OAuthFlowError('OAUTH_STATE_EXPIRED', 'The state expired; start the authorization again.');
  }
  return result.state;
}

function providerErrorFrom(params: URLSearchParams): OAuthFlowError | null {
  const raw = params.get('error');
  if (raw === null) return null;
  const providerError = safeOAuthError(raw) ?? 'invalid_error';
  if (providerError === 'access_denied') {
    return new OAuthFlowError('OAUTH_ACCESS_DENIED', 'The user denied access at the provider.', {
      providerError,
    });
  }
  return new OAuthFlowError('OAUTH_PROVIDER_ERROR', `The provider returned an error (${providerError}).`, {
    providerError,
  });
}

function exchangeFailure(error: unknown, response: ResponseInfo | undefined): OAuthFlowError {
  // A 5xx or 429 is an outage, whatever the body says: the user may retry, the code was not the problem.
  if (response && (response.status >= 500 || response.status === 429)) {
    return new OAuthFlowError(
      'OAUTH_UPSTREAM_UNAVAILABLE',
      `The provider is unavailable (HTTP ${response.status}).`,
      { cause: error },
    );
  }
  if (error instanceof oauth.ResponseBodyError) {
    const providerError = safeOAuthError(error.error);
    return new OAuthFlowError(
      'OAUTH_CODE_REJECTED',
      `The provider rejected the authorization code (${providerError ?? 'error'}).`,
      {
        cause: error,
        ...(providerError ? { providerError } : {}),
      },
    );
  }
  if (
    error instanceof Error &&
    (error.name === 'TimeoutError' || error.name === 'AbortError' || error instanceof TypeError)
  ) {
    return new OAuthFlowError('OAUTH_UPSTREAM_UNAVAILABLE', 'The provider could not be reached.', {
      cause: error,
    });
  }
  return new OAuthFlowError('OAUTH_TOKEN_RESPONSE_INVALID', 'The provider sent an invalid token response.', {
    cause: error,
  });
}

/** See {@link OAuthFlow.handleCallback}. */
export async function handleCallback(
  deps: FlowDeps,
  serviceName: string,
  params: URLSearchParams,
  requestId?: string,
): Promise<CallbackResult> {
  const provider = providerFor(deps, serviceName);
  const rawState = params.get('state');
  let state: OAuthStateRecord | undefined;
  // Known as soon as the state row is found, so failures of a known state are audited against its instance.
  let auditInstanceId: string | null = null;
  let unsavedTokens: UnsavedTokensOutcome | undefined;
  try {
    state = await consumeState(deps, serviceName, rawState, (record) => {
      auditInstanceId = record.instanceId;
    });
    const denied = providerErrorFrom(params);
    if (denied) throw denied;
    const code = params.get('code');
    if (!code || code.length > MAX_PARAM)
      throw new OAuthFlowError('OAUTH_CODE_MISSING', 'The callback has no valid code.');

    const instance = await loadInstance(deps, state.instanceId);
    const client = await clientFor(deps, instance);
    const upstream = createUpstream(deps, provider, client);
    const verifier = state.codeVerifierCiphertext
      ? await openSecret(deps.keyRing, 'codeVerifier', instance.instanceId, state.codeVerifierCiphertext)
      : oauth.nopkce;
    let tokens: oauth.TokenEndpointResponse;
    try {
      const callbackParams = oauth.validateAuthResponse(
        upstream.as,
        upstream.client,
        params,
        rawState ?? oauth.skipStateCheck,
      );
      const response = await oauth.authorizationCodeGrantRequest(
        upstream.as,
        upstream.client,
        upstream.clientAuth,
        callbackParams,
        state.redirectUri,
        verifier,
        upstream.requestOptions(),
      );
      tokens = await oauth.processAuthorizationCodeResponse(upstream.as, upstream.client, response);
    } catch (error) {
      throw exchangeFailure(error, upstream.lastResponse());
    }
    const issued = readTokenResponse(provider, tokens, deps.now(), instance.config.scopes);
    const identity = await provider
      .fetchIdentity({
        accessToken: issued.accessToken,
        fetch: deps.fetch,
        signal: AbortSignal.timeout(deps.upstreamTimeoutMs),
      })
      .catch(async (error: unknown) => {
        // The provider issued tokens we will not store: revoke them rather than leave them valid upstream.
        unsavedTokens = await revokeUnsavedTokens(deps, provider, client, instance.instanceId, issued);
        throw error instanceof OAuthFlowError
          ? error
          : new OAuthFlowError('OAUTH_IDENTITY_FAILED', 'Reading the upstream identity failed.', {
              cause: error,
            });
      });

    await deps.store.transaction(async (tx) => {
      const previous = await tx.credentials.getCredential(instance.instanceId);
      await saveIssuedTokens(deps, tx, instance.instanceId, issued, previous);
      await tx.instances.updateInstance(instance.instanceId, {
        status: 'active',
        upstreamSubject: identity.subject,
        upstreamLogin: identity.login,
        oauthCompletedAt: new Date(deps.now()),
      });
    });
    await audit(deps, deps.store, {
      instanceId: instance.instanceId,
      actor: 'upstream',
      event: 'oauth.completed',
      outcome: 'success',
      requestId,
      details: {
        serviceName,
        login: identity.login,
        scopes: issued.grantedScopes,
        expires: issued.expiresAt !== null,
      },
    });
    return {
      instanceId: instance.instanceId,
      serviceName,
      status: 'active',
      login: identity.login,
      redirectAfter: state.redirectAfter,
    };
  } catch (error) {
    const code = error instanceof McpOAuthError ? error.code : 'INTERNAL_ERROR';
    deps.logger.warn({ serviceName, instanceId: auditInstanceId, code }, 'oauth callback failed');
    await audit(deps, deps.store, {
      instanceId: auditInstanceId,
      actor: 'upstream',
      event: 'oauth.callback_failed',
      outcome: 'failure',
      requestId,
      details: { serviceName, code, ...(unsavedTokens ? { unsavedTokens } : {}) },
    });
    if (
      state &&
      error instanceof OAuthFlowError &&
      (error.code === 'OAUTH_ACCESS_DENIED' || error.code === 'OAUTH_PROVIDER_ERROR')
    ) {
      await markFailedIfPending(deps, state.instanceId);
    }
    throw error;
  }
}

async function markFailedIfPending(deps: FlowDeps, instanceId: string): Promise<void> {
  const instance = await deps.store.instances.getInstance(instanceId);
  if (instance?.status === 'pending_oauth')
    await deps.store.instances.updateInstance(instanceId, { status: 'failed' });
}
