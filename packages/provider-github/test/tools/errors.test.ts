import type { ToolDefinition } from '@org/mcp-oauth-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubTools } from '../../src/index.js';
import { toolContext } from '../helpers.js';
import { argsFor, REPO_TOOLS, SEARCH_REPO_TOOLS } from './cases.js';
import { callError, startWorld, type World } from './world.js';

const byName = new Map(githubTools.map((tool) => [tool.name, tool]));
function tool(name: string): ToolDefinition {
  const found = byName.get(name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}
const ALL = githubTools.map((t) => t.name);
const WRITE_TOOLS = githubTools.filter((t) => !t.readOnly).map((t) => t.name);

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});

describe('every GitHub tool maps upstream failures to coded errors', () => {
  it.each(ALL)('%s: an expired token → GITHUB_UNAUTHORIZED (401), token not in the message', async (name) => {
    const { access_token } = w.gh.issueToken({ scopes: ['repo', 'read:user'] });
    w.gh.expireToken(access_token);
    const context = toolContext({ accessToken: access_token, apiBaseUrl: w.gh.apiUrl, scopes: ['repo'] });
    const error = await callError(tool(name), argsFor(name, 'octocat', 'hello-world'), context);
    expect(error).toMatchObject({
      code: 'GITHUB_UNAUTHORIZED',
      status: 401,
      upstreamMessage: 'Bad credentials',
    });
    expect(error.message).not.toContain(access_token);
  });

  it.each(ALL)(
    '%s: a secondary rate limit → GITHUB_RATE_LIMITED with retryAfterMs from Retry-After',
    async (name) => {
      w.gh.injectFault('api', { kind: 'secondary_rate_limit', retryAfterSeconds: 42 });
      const error = await callError(tool(name), argsFor(name, 'octocat', 'hello-world'), w.full());
      expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', status: 403, retryAfterMs: 42_000 });
      expect(error.message).toContain('secondary rate limit');
    },
  );

  it.each(ALL)('%s: a 422 validation failure → GITHUB_API_ERROR naming the failing field', async (name) => {
    w.gh.injectFault('api', {
      kind: 'validation_failed',
      errors: [{ resource: 'Thing', field: 'widget', code: 'invalid', value: 'blue' }],
    });
    const error = await callError(tool(name), argsFor(name, 'octocat', 'hello-world'), w.full());
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 422 });
    expect(error.upstreamMessage).toBe('Validation Failed: widget "blue": invalid');
  });

  it.each(REPO_TOOLS)('%s: an unknown repository → GITHUB_API_ERROR 404 "Not Found"', async (name) => {
    const error = await callError(tool(name), argsFor(name, 'octocat', 'no-such-repo'), w.full());
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 404, upstreamMessage: 'Not Found' });
    expect(error.message).toContain('/repos/octocat/no-such-repo');
  });

  it.each(REPO_TOOLS)(
    '%s: a private repository without the repo scope → GITHUB_MISSING_SCOPE "repo"',
    async (name) => {
      const error = await callError(tool(name), argsFor(name, 'octocat', 'secret'), w.readOnly());
      expect(error).toMatchObject({ code: 'GITHUB_MISSING_SCOPE', status: 403, missingScopes: ['repo'] });
      expect(error.message).toContain('needs the "repo" scope (granted: read:user)');
    },
  );

  it.each(WRITE_TOOLS)(
    '%s: a write to a public repository without the repo scope → GITHUB_MISSING_SCOPE',
    async (name) => {
      const error = await callError(tool(name), argsFor(name, 'octocat', 'hello-world'), w.readOnly());
      expect(error).toMatchObject({ code: 'GITHUB_MISSING_SCOPE', missingScopes: ['repo'] });
    },
  );

  it.each(SEARCH_REPO_TOOLS)(
    '%s: a private repository in the query without the repo scope → 422, not listed',
    async (name) => {
      const error = await callError(tool(name), argsFor(name, 'octocat', 'secret'), w.readOnly());
      expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 422 });
      expect(error.upstreamMessage).toContain('cannot be searched');
    },
  );

  it('a secondary rate limit without Retry-After asks to wait one minute, as GitHub documents', async () => {
    w.gh.injectFault('api', { kind: 'secondary_rate_limit' });
    const error = await callError(
      tool('list_issues'),
      argsFor('list_issues', 'octocat', 'hello-world'),
      w.full(),
    );
    expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', retryAfterMs: 60_000 });
  });

  it('a primary rate limit (429, quota exhausted) → GITHUB_RATE_LIMITED with retryAfterMs', async () => {
    w.gh.injectFault('api', { kind: 'rate_limit', status: 429, retryAfterSeconds: 5 });
    const error = await callError(
      tool('get_issue'),
      argsFor('get_issue', 'octocat', 'hello-world'),
      w.full(),
    );
    expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', status: 429, retryAfterMs: 5000 });
  });

  it('a revoked token → GITHUB_UNAUTHORIZED', async () => {
    const { access_token } = w.gh.issueToken({ scopes: ['repo'] });
    w.gh.revokeToken(access_token);
    const context = toolContext({ accessToken: access_token, apiBaseUrl: w.gh.apiUrl, scopes: ['repo'] });
    const error = await callError(tool('get_me'), {}, context);
    expect(error.code).toBe('GITHUB_UNAUTHORIZED');
  });
});
