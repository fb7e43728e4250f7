import * as oauth from 'oauth4webapi';
import { RefreshError } from '../errors/index.js';
import { isRateLimited, parseRetryAfter } from './retry-after.js';
import type { ResponseInfo } from './upstream.js';

/**
 * OAuth `error` values after which a refresh token can never work again. `bad_refresh_token` is GitHub's
 * spelling of `invalid_grant`; `incorrect_client_credentials` is GitHub's `invalid_client`.
 */
export const TERMINAL_REFRESH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'bad_refresh_token',
  'unauthorized_client',
  'invalid_client',
  'incorrect_client_credentials',
  'invalid_scope',
  'unsupported_grant_type',
]);

const SAFE_ERROR = /^[A-Za-z0-9_.-]{1,64}$/;

/** An OAuth `error` value if it is safe to echo (RFC 6749 charset, bounded), else `undefined`. */
export function safeOAuthError(value: unknown): string | undefined {
  return typeof value === 'string' && SAFE_ERROR.test(value) ? value : undefined;
}

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    (error instanceof TypeError && /fetch|network|socket|ECONN/i.test(error.message))
  );
}

/**
 * Classifies a failed refresh-token grant. Terminal: the provider rejected the grant itself. Transient: network,
 * timeout, 5xx, 429, rate-limit 403, or any response we could not understand.
 */
export function classifyRefreshFailure(
  error: unknown,
  response: ResponseInfo | undefined,
  now: number,
): RefreshError {
  if (error instanceof RefreshError) return error;
  const status = response?.status;
  const retryAfterMs = response ? parseRetryAfter(response.headers, now) : undefined;
  const extra = {
    cause: error,
    ...(status !== undefined ? { status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  if (error instanceof oauth.ResponseBodyError) {
    const providerError = safeOAuthError(error.error);
    if (
      providerError &&
      TERMINAL_REFRESH_ERRORS.has(providerError) &&
      !(response && isRateLimited(response.status, response.headers))
    ) {
      return new RefreshError(
        'REFRESH_TERMINAL',
        `The provider rejected the refresh grant (${providerError}).`,
        {
          ...extra,
          providerError,
        },
      );
    }
    return new RefreshError(
      'REFRESH_TRANSIENT',
      `The provider answered the refresh with ${providerError ?? 'an error'} (HTTP ${error.status}).`,
      {
        ...extra,
        ...(providerError ? { providerError } : {}),
      },
    );
  }
  if (isNetworkFailure(error)) {
    return new RefreshError('REFRESH_TRANSIENT', 'The provider could not be reached or timed out.', extra);
  }
  if (status !== undefined) {
    return new RefreshError(
      'REFRESH_TRANSIENT',
      `The provider answered the refresh with HTTP ${status}.`,
      extra,
    );
  }
  return new RefreshError('REFRESH_TRANSIENT', 'The refresh failed for an unexpected reason.', extra);
}
