import { toolErrorMessage } from '@org/mcp-oauth-core';
import { describe, expect, it } from 'vitest';
import { GitHubApiError } from '../../src/index.js';

const message = (error: unknown) => toolErrorMessage(error, { providerName: 'GitHub', requestId: 'req-9' });

describe("core's tool error mapping reads GitHubApiError's fields", () => {
  it('maps every GitHubApiError code to an actionable message', () => {
    expect(message(new GitHubApiError('GITHUB_UNAUTHORIZED', 'GET /user: 401', { status: 401 }))).toMatch(
      /must be reconnected/,
    );
    expect(
      message(new GitHubApiError('GITHUB_MISSING_SCOPE', 'x', { status: 403, missingScopes: ['repo'] })),
    ).toMatch(/needs `repo`/);
    expect(
      message(new GitHubApiError('GITHUB_RATE_LIMITED', 'x', { status: 403, retryAfterMs: 60_000 })),
    ).toBe('GitHub API: rate limited, retry after 60 s.');
    expect(message(new GitHubApiError('GITHUB_UNREACHABLE', 'GET /user: timeout'))).toBe(
      'GitHub is temporarily unavailable; retry after 30 s.',
    );
    expect(
      message(
        new GitHubApiError('GITHUB_API_ERROR', 'x', {
          status: 422,
          upstreamMessage: 'Validation Failed: title "": missing_field',
        }),
      ),
    ).toBe('GitHub answered 422: Validation Failed: title "": missing_field');
    expect(
      message(
        new GitHubApiError('GITHUB_API_ERROR', 'x', {
          status: 404,
          upstreamMessage: 'Not Found (if it is private, the connection needs the "repo" scope)',
        }),
      ),
    ).toBe('GitHub answered 404: Not Found (if it is private, the connection needs the "repo" scope)');
  });
});
