import { describe, expect, it } from 'vitest';
import { InstanceError, RefreshError } from '../../src/errors/index.js';
import { toolErrorMessage, upstreamFields } from '../../src/mcp/tool-errors.js';
import { BreakerOpen } from '../../src/tokens/breakers.js';

const context = { providerName: 'GitHub', requestId: 'req-1' };

/** Shaped like a provider client's error (GitHubApiError), without importing it. */
class FakeApiError extends Error {
  constructor(
    readonly code: string,
    fields: {
      status?: number;
      retryAfterMs?: number;
      missingScopes?: readonly string[];
      upstreamMessage?: string;
    },
  ) {
    super(`internal detail ${code}`);
    Object.assign(this, fields);
  }
}

const message = (error: unknown) => toolErrorMessage(error, context);

describe('toolErrorMessage', () => {
  it('asks for a reconnect on a 401 standing after recovery, needs_reauth and terminal refresh failures', () => {
    for (const error of [
      new FakeApiError('GITHUB_UNAUTHORIZED', { status: 401, upstreamMessage: 'Bad credentials' }),
      new InstanceError('INSTANCE_NEEDS_REAUTH', 'x'),
      new InstanceError('INSTANCE_NOT_ACTIVE', 'x'),
      new RefreshError('REFRESH_TERMINAL', 'invalid_grant'),
    ]) {
      expect(message(error)).toMatch(/^This GitHub account must be reconnected/);
    }
  });

  it('names the missing scopes of a 403', () => {
    const error = new FakeApiError('GITHUB_MISSING_SCOPE', {
      status: 403,
      missingScopes: ['repo', 'public_repo'],
    });
    expect(message(error)).toBe(
      'The GitHub connection lacks a required scope: it needs `repo` or `public_repo`. Ask the user to reconnect granting it.',
    );
  });

  it('quotes the upstream message of 404, 409 and 422, single-line and trimmed to 500 characters', () => {
    expect(message(new FakeApiError('GITHUB_API_ERROR', { status: 404, upstreamMessage: 'Not Found' }))).toBe(
      'GitHub answered 404: Not Found',
    );
    expect(
      message(
        new FakeApiError('GITHUB_API_ERROR', { status: 409, upstreamMessage: 'Reference\n  already exists' }),
      ),
    ).toBe('GitHub answered 409: Reference already exists');
    const long = message(
      new FakeApiError('GITHUB_API_ERROR', { status: 422, upstreamMessage: 'v'.repeat(2000) }),
    );
    expect(long.length).toBe('GitHub answered 422: '.length + 500);
    expect(long.endsWith('…')).toBe(true);
    expect(message(new FakeApiError('GITHUB_API_ERROR', { status: 422 }))).toBe('GitHub answered 422.');
  });

  it('says when to retry when rate limited (429, a rate-limit code with retryAfterMs)', () => {
    expect(message(new FakeApiError('GITHUB_RATE_LIMITED', { status: 429, retryAfterMs: 4_200 }))).toBe(
      'GitHub API: rate limited, retry after 5 s.',
    );
    expect(message(new FakeApiError('GITHUB_RATE_LIMITED', { status: 403, retryAfterMs: 60_000 }))).toBe(
      'GitHub API: rate limited, retry after 60 s.',
    );
    expect(message({ status: 429 })).toBe('GitHub API: rate limited, retry after 30 s.');
  });

  it('says temporarily unavailable for an open breaker, a transient refresh failure, unreachable and 5xx', () => {
    expect(message(new BreakerOpen('provider', 9_000))).toBe(
      'GitHub is temporarily unavailable; retry after 9 s.',
    );
    expect(message(new RefreshError('REFRESH_TRANSIENT', 'x', { retryAfterMs: 1_000 }))).toBe(
      'GitHub is temporarily unavailable; retry after 1 s.',
    );
    expect(message(new FakeApiError('GITHUB_UNREACHABLE', {}))).toBe(
      'GitHub is temporarily unavailable; retry after 30 s.',
    );
    expect(message(new FakeApiError('GITHUB_API_ERROR', { status: 502 }))).toMatch(/temporarily unavailable/);
  });

  it('gives a generic message with the request id for anything else, never the error text', () => {
    for (const error of [new Error('token=ghp_secret'), 'boom', null, { status: 'x' }]) {
      expect(message(error)).toBe('The tool failed unexpectedly (request id req-1).');
    }
  });

  it('upstreamFields ignores fields of the wrong type', () => {
    expect(upstreamFields({ status: '404', missingScopes: ['repo', 3], code: 7 })).toEqual({
      missingScopes: ['repo'],
    });
  });
});
