import { McpOAuthError } from '@org/mcp-oauth-core';

/** Codes of {@link GitHubApiError}. */
export type GitHubApiErrorCode =
  /** GitHub answered with an error status. */
  | 'GITHUB_API_ERROR'
  /** GitHub rejected the token (HTTP 401): revoked, expired or never valid. */
  | 'GITHUB_UNAUTHORIZED'
  /** GitHub's rate limit is exhausted (429, or 403 with an empty quota); see `retryAfterMs`. */
  | 'GITHUB_RATE_LIMITED'
  /** No answer: network failure, timeout or abort. */
  | 'GITHUB_UNREACHABLE';

/**
 * A GitHub REST call failed. The message names the method, path, status and GitHub's own (trimmed) message;
 * it never contains the token.
 */
export class GitHubApiError extends McpOAuthError<GitHubApiErrorCode> {
  /** HTTP status of GitHub's answer, when one arrived. */
  readonly status: number | undefined;
  /** How long GitHub asked us to wait, from `Retry-After` or `X-RateLimit-Reset`. */
  readonly retryAfterMs: number | undefined;
  constructor(
    code: GitHubApiErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; retryAfterMs?: number },
  ) {
    super(code, message, options);
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
  }
}
