import { McpOAuthError } from '@org/mcp-oauth-core';

/** Codes of {@link GitHubApiError}. */
export type GitHubApiErrorCode =
  /** GitHub answered with an error status (404, 409, 422, …); the message carries GitHub's own, trimmed. */
  | 'GITHUB_API_ERROR'
  /** GitHub rejected the token (HTTP 401): revoked, expired or never valid. */
  | 'GITHUB_UNAUTHORIZED'
  /** A primary or secondary rate limit was hit (429, or 403 with an empty quota, `Retry-After` or the
   * "secondary rate limit" message); see `retryAfterMs`. */
  | 'GITHUB_RATE_LIMITED'
  /** The token lacks an OAuth scope the endpoint accepts (403 with `X-Accepted-OAuth-Scopes` not satisfied by
   * `X-OAuth-Scopes`); see `missingScopes`. */
  | 'GITHUB_MISSING_SCOPE'
  /** No answer: network failure, timeout or abort. */
  | 'GITHUB_UNREACHABLE';

/** Options of {@link GitHubApiError}. */
export interface GitHubApiErrorOptions {
  cause?: unknown;
  /** HTTP status of GitHub's answer. */
  status?: number;
  /** How long to wait before retrying, in milliseconds. */
  retryAfterMs?: number;
  /** Scopes of which the token needs one (GitHub's `X-Accepted-OAuth-Scopes`). */
  missingScopes?: readonly string[];
  /** GitHub's own message, trimmed and single-line, safe to show to a model. */
  upstreamMessage?: string;
}

/**
 * A GitHub REST call failed. The message names the method, path, status and GitHub's own (trimmed) message;
 * it never contains the token.
 */
export class GitHubApiError extends McpOAuthError<GitHubApiErrorCode> {
  /** HTTP status of GitHub's answer, when one arrived. */
  readonly status: number | undefined;
  /** How long GitHub asked us to wait, from `Retry-After` or `X-RateLimit-Reset` (one minute for a secondary
   * rate limit that names no time). */
  readonly retryAfterMs: number | undefined;
  /** For `GITHUB_MISSING_SCOPE`: the scopes GitHub accepts for the endpoint (any one of them would do). */
  readonly missingScopes: readonly string[] | undefined;
  /** GitHub's own message (for 422 with the failing fields), trimmed; `undefined` when it sent none. */
  readonly upstreamMessage: string | undefined;
  constructor(code: GitHubApiErrorCode, message: string, options?: GitHubApiErrorOptions) {
    super(code, message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
    this.missingScopes = options?.missingScopes;
    this.upstreamMessage = options?.upstreamMessage;
  }
}
