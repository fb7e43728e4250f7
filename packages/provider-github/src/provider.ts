import type { ProviderDefinition } from '@org/mcp-oauth-core';
import { expandScopes } from './api/scopes.js';
import { checkGitHubClient, revokeGitHubToken } from './applications.js';
import { checkGitHubApi, fetchGitHubIdentity } from './identity.js';
import { type GitHubProviderOptions, resolveGitHubOptions } from './options.js';
import { githubResourceTemplates } from './resources/index.js';
import { normalizeGitHubTokenResponse } from './token-response.js';
import { githubTools } from './tools/index.js';

/** Loose client id shapes: OAuth Apps `Ov23…` or 20 hex (older), GitHub Apps `Iv1.…` or `Iv23…`. */
const CLIENT_ID_PATTERNS = {
  'oauth-app': /^(?:Ov23[A-Za-z0-9]{8,40}|[0-9a-f]{20})$/,
  'github-app': /^(?:Iv1\.[0-9a-f]{8,40}|Iv23[A-Za-z0-9]{8,40})$/,
  any: /^(?:Ov23[A-Za-z0-9]{8,40}|Iv23[A-Za-z0-9]{8,40}|Iv1\.[0-9a-f]{8,40}|[0-9a-f]{20})$/,
} as const;

/**
 * The GitHub provider (github.com or GitHub Enterprise Server): endpoints, scopes, GitHub's protocol quirks and
 * the `get_me` tool. Default scopes are `['read:user']`; add `repo` when you enable repository tools.
 *
 * @throws ConfigError naming the bad option.
 * @example
 * ```ts
 * const providers = [github()];                                        // github.com
 * const ghes = github({ baseUrl: 'https://ghe.example.com' });         // API at https://ghe.example.com/api/v3
 * const flow = createOAuthFlow({ store, keyRing, providers, callbackUrl: (s) => `${PUBLIC_URL}/cb/${s}` });
 * ```
 */
export function github(options: GitHubProviderOptions = {}): ProviderDefinition {
  const { baseUrl, apiUrl, scopes, appType } = resolveGitHubOptions(options);
  const provider = {
    id: 'github',
    displayName: 'GitHub',
    endpoints: {
      authorization: new URL('login/oauth/authorize', `${baseUrl}/`).href,
      token: new URL('login/oauth/access_token', `${baseUrl}/`).href,
      userInfo: `${apiUrl}/user`,
      api: apiUrl,
    },
    defaultScopes: scopes,
    // `GET /user` (get_me) works with any token, even one without scopes (and GitHub App tokens have none).
    requiredScopes: [],
    // GitHub accepts spaces in the request; its comma-separated responses are fixed in normalizeTokenResponse.
    scopeSeparator: ' ',
    pkce: true,
    clientAuthentication: 'client_secret_post',
    // OAuth App tokens never expire; GitHub App user tokens expire after 8 h, when the app opted in.
    tokensExpire: 'per-token',
    // GitHub App refresh tokens are single use: each refresh returns a new one.
    rotatesRefreshTokens: true,
    clientIdPattern: CLIENT_ID_PATTERNS[appType ?? 'any'],
    normalizeTokenResponse: normalizeGitHubTokenResponse,
    fetchIdentity: (context) => fetchGitHubIdentity(apiUrl, context),
    revokeToken: (context) => revokeGitHubToken(apiUrl, context),
    checkClient: (context) => checkGitHubClient(apiUrl, context),
    checkApi: (context) => checkGitHubApi(apiUrl, context),
    tools: githubTools,
    resourceTemplates: githubResourceTemplates,
    // Classic scope hierarchy (`repo` ⊃ `public_repo`, `user` ⊃ `read:user`, …) when listing tools.
    expandScopes: (granted) => [...expandScopes(granted)],
    // GitHub App user tokens carry no scopes (the app's permissions apply): list every tool for them.
    scopeFiltering: 'none-when-empty',
  } satisfies ProviderDefinition;
  return provider;
}
