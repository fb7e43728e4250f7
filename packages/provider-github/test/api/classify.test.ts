import { describe, expect, it } from 'vitest';
import { toGitHubApiError } from '../../src/api/classify.js';
import { satisfiesScopes } from '../../src/index.js';

const NOW = 1_700_000_000_000;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const classify = (response: Response) => toGitHubApiError(response, 'GET', '/repos/o/r', () => NOW);

describe('GitHub error classification', () => {
  it('401 → GITHUB_UNAUTHORIZED, with anything token-shaped redacted', async () => {
    const error = await classify(json(401, { message: 'Bad credentials for gho_abcdefghijklmnop' }));
    expect(error).toMatchObject({ code: 'GITHUB_UNAUTHORIZED', status: 401 });
    expect(error.message).toBe('GitHub GET /repos/o/r failed with HTTP 401: Bad credentials for [redacted]');
  });

  it('primary rate limit: 403 with an empty quota → retry at X-RateLimit-Reset', async () => {
    const reset = String(NOW / 1000 + 90);
    const error = await classify(
      json(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      ),
    );
    expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', retryAfterMs: 90_000 });
  });

  it('secondary rate limit recognised by its message alone; one minute when no time is named', async () => {
    const error = await classify(json(403, { message: 'You have exceeded a secondary rate limit.' }));
    expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', retryAfterMs: 60_000 });
    const dated = await classify(
      json(429, { message: 'slow down' }, { 'retry-after': new Date(NOW + 5000).toUTCString() }),
    );
    expect(dated).toMatchObject({ code: 'GITHUB_RATE_LIMITED', retryAfterMs: 5000 });
  });

  it('403 with an unsatisfied X-Accepted-OAuth-Scopes → GITHUB_MISSING_SCOPE naming it', async () => {
    const error = await classify(
      json(
        403,
        { message: 'Forbidden' },
        { 'x-oauth-scopes': 'read:user, gist', 'x-accepted-oauth-scopes': 'repo' },
      ),
    );
    expect(error).toMatchObject({ code: 'GITHUB_MISSING_SCOPE', missingScopes: ['repo'] });
    expect(error.message).toContain('needs the "repo" scope (granted: read:user, gist)');
  });

  it('403 whose scopes are satisfied (e.g. a locked issue) stays GITHUB_API_ERROR', async () => {
    const error = await classify(
      json(
        403,
        { message: 'Issue is locked' },
        { 'x-oauth-scopes': 'repo', 'x-accepted-oauth-scopes': 'repo' },
      ),
    );
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', upstreamMessage: 'Issue is locked' });
  });

  it('404 hides private resources: adds a scope hint when the token lacks the accepted scope', async () => {
    const error = await classify(
      json(
        404,
        { message: 'Not Found' },
        { 'x-oauth-scopes': 'read:user', 'x-accepted-oauth-scopes': 'repo' },
      ),
    );
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 404 });
    expect(error.upstreamMessage).toBe('Not Found (if it is private, the connection needs the "repo" scope)');
  });

  it('422 lists each failing field, bounded to one line', async () => {
    const error = await classify(
      json(422, {
        message: 'Validation Failed',
        errors: [
          { resource: 'Issue', field: 'title', code: 'missing_field' },
          { resource: 'Issue', field: 'assignees', code: 'invalid', value: 'ghost' },
          'plain string error',
          { message: 'A custom\nmultiline message' },
        ],
      }),
    );
    expect(error.upstreamMessage).toBe(
      'Validation Failed: title: missing_field; assignees "ghost": invalid; plain string error; A custom multiline message',
    );
    const long = await classify(json(422, { message: 'x'.repeat(1000) }));
    expect(long.upstreamMessage).toHaveLength(300);
  });

  it('HTML error pages carry no message', async () => {
    const error = await classify(
      new Response('<html>Unicorn</html>', { status: 500, headers: { 'content-type': 'text/html' } }),
    );
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 500 });
    expect(error.upstreamMessage).toBeUndefined();
  });

  it('knows the classic scope hierarchy', () => {
    expect(satisfiesScopes(['repo'], ['public_repo'])).toBe(true);
    expect(satisfiesScopes(['user'], ['read:user'])).toBe(true);
    expect(satisfiesScopes(['public_repo'], ['repo'])).toBe(false);
    expect(satisfiesScopes([], [])).toBe(true);
  });
});
