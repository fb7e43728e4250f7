import { type FakeGitHub, startFakeGitHub } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApiError, getMe } from '../src/index.js';
import { toolContext } from './helpers.js';

describe('get_me', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
  });
  afterAll(async () => {
    await gh.close();
  });

  it('declares a read-only context tool that needs no scope', () => {
    expect(getMe).toMatchObject({
      name: 'get_me',
      scopes: [],
      readOnly: true,
      toolset: 'context',
      annotations: { readOnlyHint: true, openWorldHint: true },
    });
    expect(getMe.input.parse({})).toEqual({});
  });

  it('returns the profile of the token owner, matching the output schema', async () => {
    const { access_token } = gh.issueToken({ login: 'hubot' });
    const result = await getMe.handler({}, toolContext({ accessToken: access_token, apiBaseUrl: gh.apiUrl }));
    expect(result.structured).toMatchObject({ login: 'hubot', id: 480938, name: 'Hubot', type: 'User' });
    expect(getMe.output.parse(result.structured)).toEqual(result.structured);
  });

  it('maps a rejected token to GITHUB_UNAUTHORIZED without leaking it', async () => {
    const { access_token } = gh.issueToken();
    gh.expireToken(access_token);
    const error = await getMe
      .handler({}, toolContext({ accessToken: access_token, apiBaseUrl: gh.apiUrl }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ code: 'GITHUB_UNAUTHORIZED', status: 401 });
    expect((error as Error).message).toContain('Bad credentials');
    expect((error as Error).message).not.toContain(access_token);
  });

  it('maps rate limiting to GITHUB_RATE_LIMITED with retryAfterMs', async () => {
    const { access_token } = gh.issueToken();
    gh.injectFault('api', { kind: 'rate_limit', status: 403, retryAfterSeconds: 60 });
    const error = await getMe
      .handler({}, toolContext({ accessToken: access_token, apiBaseUrl: gh.apiUrl }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', status: 403, retryAfterMs: 60_000 });
  });
});
