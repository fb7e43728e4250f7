import type { TokenEndpointResponse } from 'oauth4webapi';
import type { ProviderDefinition } from '../provider/types.js';

/** Normalised, still-plaintext result of a token endpoint call. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
  grantedScopes: string[];
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
}

/** Splits a `scope` value on spaces and commas (GitHub answers comma-separated), dropping empties and duplicates. */
export function splitScopes(scope: string | undefined | null): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/[\s,]+/).filter((s) => s.length > 0))];
}

function seconds(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * Reads a token response into {@link IssuedTokens}. When the response carries no `scope`, the requested scopes are
 * assumed granted (RFC 6749 §5.1: scope is omitted when identical to the request).
 */
export function readTokenResponse(
  provider: ProviderDefinition,
  response: TokenEndpointResponse,
  now: number,
  requestedScopes: readonly string[],
): IssuedTokens {
  const expiresIn = provider.tokensExpire === false ? null : seconds(response.expires_in);
  const refreshExpiresIn = seconds(response.refresh_token_expires_in);
  return {
    accessToken: response.access_token,
    refreshToken:
      typeof response.refresh_token === 'string' && response.refresh_token ? response.refresh_token : null,
    tokenType: response.token_type,
    grantedScopes: response.scope === undefined ? [...requestedScopes] : splitScopes(response.scope),
    expiresAt: expiresIn === null ? null : new Date(now + expiresIn * 1000),
    refreshExpiresAt: refreshExpiresIn === null ? null : new Date(now + refreshExpiresIn * 1000),
  };
}
