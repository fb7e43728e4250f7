import {
  ConfigError,
  type FetchLike,
  OAuthFlowError,
  type ProviderDefinition,
  type UpstreamIdentity,
} from '@org/mcp-oauth-core';
import { GoogleApiError } from './errors.js';

/** Options of {@link google}. Every endpoint is overridable for test fakes and proxies. */
export interface GoogleProviderOptions {
  /** @default 'https://accounts.google.com/o/oauth2/v2/auth' */
  authorizationUrl?: string;
  /** @default 'https://oauth2.googleapis.com/token' */
  tokenUrl?: string;
  /** @default 'https://oauth2.googleapis.com/revoke' */
  revocationUrl?: string;
  /** Base of Gmail, Calendar, Drive and userinfo. @default 'https://www.googleapis.com' */
  apiUrl?: string;
  /** Default scopes. @default ['openid', 'email', 'profile'] */
  scopes?: string[];
}

const DEFAULTS = {
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  revocationUrl: 'https://oauth2.googleapis.com/revoke',
  apiUrl: 'https://www.googleapis.com',
} as const;

function url(option: keyof typeof DEFAULTS, value: string | undefined): string {
  const raw = value ?? DEFAULTS[option];
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(option, 'must be an absolute http(s) URL');
  }
}

async function fetchIdentity(
  apiUrl: string,
  accessToken: string,
  fetch: FetchLike,
  signal?: AbortSignal,
): Promise<UpstreamIdentity> {
  const response = await fetch(`${apiUrl}/oauth2/v3/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) {
    throw new OAuthFlowError('OAUTH_IDENTITY_FAILED', `Google userinfo answered HTTP ${response.status}.`, {
      cause: new GoogleApiError(response.status, 'userinfo failed'),
    });
  }
  const body = (await response.json()) as {
    sub?: unknown;
    email?: unknown;
    name?: unknown;
    picture?: unknown;
  };
  if (typeof body.sub !== 'string' || body.sub.length === 0) {
    throw new OAuthFlowError('OAUTH_IDENTITY_FAILED', 'Google userinfo has no subject.');
  }
  return {
    subject: body.sub,
    login: typeof body.email === 'string' ? body.email : body.sub,
    profile: { name: body.name ?? null, picture: body.picture ?? null },
  };
}

/**
 * Google as an OAuth 2 provider (Gmail, Calendar, Drive). Quirks handled here:
 * - a refresh token is issued only with `access_type=offline`, and again on re-consent only with `prompt=consent`;
 * - refresh responses omit `refresh_token` (the engine keeps the old one) — Google refresh tokens do not rotate;
 * - revocation is RFC 7009 at `oauth2.googleapis.com/revoke`; revoking the refresh token ends the whole grant.
 *
 * @throws ConfigError naming an invalid URL option.
 * @example
 * ```ts
 * const provider = google({ scopes: ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'] });
 * ```
 */
export function google(options: GoogleProviderOptions = {}): ProviderDefinition {
  const apiUrl = url('apiUrl', options.apiUrl);
  const scopes = options.scopes ?? ['openid', 'email', 'profile'];
  if (scopes.length === 0) throw new ConfigError('scopes', 'must name at least one scope');
  return {
    id: 'google',
    displayName: 'Google',
    endpoints: {
      issuer: 'https://accounts.google.com',
      authorization: url('authorizationUrl', options.authorizationUrl),
      token: url('tokenUrl', options.tokenUrl),
      revocation: url('revocationUrl', options.revocationUrl),
      userInfo: `${apiUrl}/oauth2/v3/userinfo`,
      api: apiUrl,
    },
    defaultScopes: scopes,
    // Google answers granted scopes with their full names (`email` is granted as …/auth/userinfo.email).
    requiredScopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email'],
    scopeSeparator: ' ',
    pkce: true,
    // Without offline access Google issues no refresh token; without consent it does not re-issue one.
    authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    clientAuthentication: 'client_secret_post',
    tokensExpire: true,
    rotatesRefreshTokens: false,
    clientIdPattern: /^[0-9]+-[0-9a-z]+\.apps\.googleusercontent\.com$/,
    fetchIdentity: ({ accessToken, fetch, signal }) => fetchIdentity(apiUrl, accessToken, fetch, signal),
    async checkApi({ accessToken, fetch, signal }) {
      // POST keeps the token out of URLs (and so out of proxy and access logs).
      const response = await fetch(`${apiUrl}/oauth2/v3/tokeninfo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: accessToken }).toString(),
        ...(signal ? { signal } : {}),
      }).catch(() => undefined);
      if (!response) return { reachable: false, detail: 'Google could not be reached' };
      if (!response.ok)
        return {
          reachable: true,
          status: response.status,
          detail: `tokeninfo answered HTTP ${response.status}`,
        };
      const body = (await response.json()) as { scope?: unknown };
      return {
        reachable: true,
        status: response.status,
        detail: 'Google accepted the token',
        ...(typeof body.scope === 'string' ? { grantedScopes: body.scope.split(' ').filter(Boolean) } : {}),
      };
    },
  } satisfies ProviderDefinition;
}
