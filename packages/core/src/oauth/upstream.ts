import * as oauth from 'oauth4webapi';
import type { ClientCredentials, ProviderDefinition } from '../provider/types.js';
import type { FlowDeps } from './options.js';

/** Status and headers of the last upstream response, for classification (no body, no secrets). */
export interface ResponseInfo {
  status: number;
  headers: Headers;
}

/** oauth4webapi objects for one provider and client, plus request options that route through injected fetch. */
export interface Upstream {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  /** Fresh per-request options (timeout signal, custom fetch, insecure-request flag). */
  requestOptions(): oauth.TokenEndpointRequestOptions;
  /** Status and headers of the most recent response received through {@link requestOptions}. */
  lastResponse(): ResponseInfo | undefined;
}

/** Builds the oauth4webapi view of a provider; the provider's token-response hook runs inside custom fetch. */
export function createUpstream(
  deps: FlowDeps,
  provider: ProviderDefinition,
  credentials: ClientCredentials,
): Upstream {
  const { endpoints } = provider;
  const as: oauth.AuthorizationServer = {
    issuer: endpoints.issuer ?? new URL(endpoints.authorization).origin,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    ...(endpoints.revocation ? { revocation_endpoint: endpoints.revocation } : {}),
    ...(endpoints.userInfo ? { userinfo_endpoint: endpoints.userInfo } : {}),
  };
  const client: oauth.Client = {
    client_id: credentials.clientId,
    token_endpoint_auth_method: provider.clientAuthentication,
  };
  const clientAuth =
    provider.clientAuthentication === 'client_secret_basic'
      ? oauth.ClientSecretBasic(credentials.clientSecret)
      : oauth.ClientSecretPost(credentials.clientSecret);
  let last: ResponseInfo | undefined;

  const customFetch = async (url: string, init: RequestInit): Promise<Response> => {
    const response = await deps.fetch(url, init);
    last = { status: response.status, headers: response.headers };
    if (provider.normalizeTokenResponse && url === endpoints.token) {
      return provider.normalizeTokenResponse(response);
    }
    return response;
  };

  return {
    as,
    client,
    clientAuth,
    requestOptions: () => ({
      [oauth.customFetch]: customFetch,
      [oauth.allowInsecureRequests]: deps.allowInsecureRequests,
      signal: AbortSignal.timeout(deps.upstreamTimeoutMs),
    }),
    lastResponse: () => last,
  };
}
