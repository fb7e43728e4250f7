import { getAccessToken } from './access-token.js';
import { createAuthorizationRequest } from './authorize.js';
import { handleCallback } from './callback.js';
import { type OAuthFlowOptions, resolveFlowOptions } from './options.js';
import { refreshTokens } from './refresh.js';
import { revokeTokens } from './revoke.js';
import type { OAuthFlow } from './types.js';
import { validateCredentials } from './validate.js';

/**
 * Creates the upstream OAuth flow (authorization-code with PKCE S256 on oauth4webapi) over a store and key ring.
 *
 * @throws ConfigError naming the first invalid option.
 * @example
 * ```ts
 * const flow = createOAuthFlow({
 *   store, keyRing, providers: [github()],
 *   defaultClients: { github: { clientId, clientSecret } },
 *   callbackUrl: (service) => `${publicUrl}/api/v1/auth-registry/auth/callback/${service}`,
 * });
 * const { authorizationUrl } = await flow.createAuthorizationRequest({ serviceName: 'github', userId: 'u1' });
 * ```
 */
export function createOAuthFlow(options: OAuthFlowOptions): OAuthFlow {
  const deps = resolveFlowOptions(options);
  return {
    providers: deps.providers,
    createAuthorizationRequest: (input) => createAuthorizationRequest(deps, input),
    handleCallback: (serviceName, params, opts) => handleCallback(deps, serviceName, params, opts?.requestId),
    refreshTokens: (instanceId, opts) => refreshTokens(deps, instanceId, opts),
    revokeTokens: (instanceId, opts) => revokeTokens(deps, instanceId, opts?.requestId),
    validateCredentials: (serviceName, input) => validateCredentials(deps, serviceName, input),
    getAccessToken: (instanceId, opts) => getAccessToken(deps, instanceId, opts?.requestId),
  };
}
