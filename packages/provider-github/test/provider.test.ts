import { ConfigError, isMcpOAuthError } from '@org/mcp-oauth-core';
import {
  FAKE_GITHUB_APP,
  FAKE_GITHUB_OAUTH_APP,
  type FakeGitHub,
  startFakeGitHub,
} from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { github, githubTools } from '../src/index.js';

describe('github() options', () => {
  it('defaults to github.com', () => {
    const p = github();
    expect(p).toMatchObject({
      id: 'github',
      defaultScopes: ['read:user'],
      scopeSeparator: ' ',
      pkce: true,
      clientAuthentication: 'client_secret_post',
      tokensExpire: 'per-token',
      rotatesRefreshTokens: true,
    });
    expect(p.endpoints).toMatchObject({
      authorization: 'https://github.com/login/oauth/authorize',
      token: 'https://github.com/login/oauth/access_token',
      api: 'https://api.github.com',
    });
    expect(p.tools).toBe(githubTools);
    expect(p.tools?.[0]?.name).toBe('get_me');
  });

  it('uses <baseUrl>/api/v3 for GitHub Enterprise Server unless apiUrl is given', () => {
    expect(github({ baseUrl: 'https://ghe.example.com/' }).endpoints).toMatchObject({
      authorization: 'https://ghe.example.com/login/oauth/authorize',
      token: 'https://ghe.example.com/login/oauth/access_token',
      api: 'https://ghe.example.com/api/v3',
    });
    expect(
      github({ baseUrl: 'https://ghe.example.com', apiUrl: 'https://api.ghe.example.com/' }).endpoints.api,
    ).toBe('https://api.ghe.example.com');
    expect(github({ baseUrl: 'http://127.0.0.1:8080/gh' }).endpoints).toMatchObject({
      token: 'http://127.0.0.1:8080/gh/login/oauth/access_token',
      api: 'http://127.0.0.1:8080/gh/api/v3',
    });
    expect(github({ scopes: ['repo', 'read:user'] }).defaultScopes).toEqual(['repo', 'read:user']);
  });

  it.each([
    [{ baseUrl: 'not a url' }, 'github.baseUrl'],
    [{ baseUrl: 'ftp://ghe.example.com' }, 'github.baseUrl'],
    [{ baseUrl: 'https://user:pw@ghe.example.com' }, 'github.baseUrl'],
    [{ apiUrl: '' }, 'github.apiUrl'],
    [{ scopes: ['repo,admin'] }, 'github.scopes'],
    [{ appType: 'app' as 'oauth-app' }, 'github.appType'],
  ])('rejects %j naming %s', (options, option) => {
    const error = (() => {
      try {
        github(options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID_OPTION', option });
    expect(String((error as Error).message)).not.toContain('pw');
  });

  it('checks client id plausibility loosely', () => {
    const any = github().clientIdPattern;
    for (const id of [
      'Ov23liFakeOAuthApp01',
      'Iv23liFakeGitHubApp1',
      'Iv1.0123456789abcdef',
      '0123456789abcdef0123',
    ]) {
      expect(any?.test(id), id).toBe(true);
    }
    expect(any?.test('hello world')).toBe(false);
    expect(github({ appType: 'github-app' }).clientIdPattern?.test('Ov23liFakeOAuthApp01')).toBe(false);
  });
});

describe('github() against the fake GitHub', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
  });
  afterAll(async () => {
    await gh.close();
  });
  const provider = () => github({ baseUrl: gh.url, apiUrl: gh.apiUrl });

  it('fetchIdentity reads /user with GitHub headers', async () => {
    const { access_token } = gh.issueToken();
    const identity = await provider().fetchIdentity({ accessToken: access_token, fetch });
    expect(identity).toEqual({
      subject: '583231',
      login: 'octocat',
      profile: {
        name: 'The Octocat',
        avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
        html_url: `${gh.url}/octocat`,
      },
    });
    expect(gh.state.requests.at(-1)?.headers).toMatchObject({
      authorization: `Bearer ${access_token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'mcp-oauth',
    });
  });

  it('fetchIdentity fails with OAUTH_IDENTITY_FAILED and no token in the message', async () => {
    const { access_token } = gh.issueToken();
    gh.revokeToken(access_token);
    const error = await provider()
      .fetchIdentity({ accessToken: access_token, fetch })
      .catch((e: unknown) => e);
    expect(isMcpOAuthError(error, 'OAUTH_IDENTITY_FAILED')).toBe(true);
    expect((error as Error).message).toContain('401');
    expect((error as Error).message).not.toContain(access_token);
  });

  it('checkClient: 404 for the probe token means valid, 401 means invalid', async () => {
    await expect(provider().checkClient?.({ client: FAKE_GITHUB_OAUTH_APP, fetch })).resolves.toMatchObject({
      valid: true,
    });
    const wrong = { clientId: FAKE_GITHUB_APP.clientId, clientSecret: 'wrong-secret' };
    await expect(provider().checkClient?.({ client: wrong, fetch })).resolves.toMatchObject({ valid: false });
  });

  it('checkApi reports X-OAuth-Scopes', async () => {
    const { access_token } = gh.issueToken({ scopes: ['repo', 'read:user'] });
    await expect(provider().checkApi?.({ accessToken: access_token, fetch })).resolves.toEqual({
      reachable: true,
      status: 200,
      detail: 'GitHub accepted the token',
      grantedScopes: ['repo', 'read:user'],
    });
    await expect(provider().checkApi?.({ accessToken: 'gho_unknown', fetch })).resolves.toMatchObject({
      reachable: true,
      status: 401,
    });
  });
});
