import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_GITHUB_APP, FAKE_GITHUB_OAUTH_APP, type FakeGitHub, startFakeGitHub } from '../src/index.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const UA = { 'user-agent': 'fake-github-test' };

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.close();
});

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function authorize(clientId: string, extra: Record<string, string> = {}): Promise<URL> {
  const url = new URL(`${gh.oauthUrl}/authorize`);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    state: 's1',
    ...extra,
  }).toString();
  return gh.approve(url);
}

async function token(body: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gh.oauthUrl}/access_token`, { method: 'POST', body: new URLSearchParams(body), headers });
}

describe('fake GitHub', () => {
  it('runs the OAuth App flow with PKCE, JSON on request, form otherwise, errors with HTTP 200', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const back = await authorize(FAKE_GITHUB_OAUTH_APP.clientId, {
      scope: 'repo read:user',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(back.searchParams.get('state')).toBe('s1');
    const code = back.searchParams.get('code') ?? '';
    const creds = {
      client_id: FAKE_GITHUB_OAUTH_APP.clientId,
      client_secret: FAKE_GITHUB_OAUTH_APP.clientSecret,
    };

    const ok = await token({ ...creds, code, code_verifier: verifier }, { accept: 'application/json' });
    const json = (await ok.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ token_type: 'bearer', scope: 'repo,read:user' });
    expect(json.access_token).toMatch(/^gho_/);
    expect(json).not.toHaveProperty('expires_in');

    const replay = await token({ ...creds, code, code_verifier: verifier });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    expect(new URLSearchParams(await replay.text()).get('error')).toBe('bad_verification_code');

    const user = await fetch(`${gh.apiUrl}/user`, {
      headers: { ...UA, authorization: `Bearer ${String(json.access_token)}` },
    });
    expect(user.status).toBe(200);
    expect(user.headers.get('x-oauth-scopes')).toBe('repo, read:user');
    expect(((await user.json()) as { login: string }).login).toBe('octocat');
  });

  it('denies on request and checks client credentials', async () => {
    gh.denyNextAuthorization();
    expect((await authorize(FAKE_GITHUB_OAUTH_APP.clientId)).searchParams.get('error')).toBe('access_denied');
    const bad = await token({ client_id: FAKE_GITHUB_OAUTH_APP.clientId, client_secret: 'nope', code: 'x' });
    expect(new URLSearchParams(await bad.text()).get('error')).toBe('incorrect_client_credentials');
  });

  it('rotates GitHub App refresh tokens (single use) and counts refresh calls', async () => {
    const first = gh.issueToken({ clientId: FAKE_GITHUB_APP.clientId });
    expect(first).toMatchObject({ expires_in: 28800, refresh_token_expires_in: 15897600, scope: '' });
    const auth = { authorization: basic(FAKE_GITHUB_APP.clientId, FAKE_GITHUB_APP.clientSecret) };
    const refresh = { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' };
    const second = new URLSearchParams(await (await token(refresh, auth)).text());
    expect(second.get('refresh_token')).toMatch(/^ghr_/);
    const reused = new URLSearchParams(await (await token(refresh, auth)).text());
    expect(reused.get('error')).toBe('bad_refresh_token');
    expect(gh.state.refreshCalls).toBe(2);
  });

  it('revokes and checks tokens through /applications/{client_id}/token', async () => {
    const { access_token } = gh.issueToken();
    const path = `${gh.apiUrl}/applications/${FAKE_GITHUB_OAUTH_APP.clientId}/token`;
    const good = basic(FAKE_GITHUB_OAUTH_APP.clientId, FAKE_GITHUB_OAUTH_APP.clientSecret);
    const call = (method: string, authorization: string, tokenValue: string) =>
      fetch(path, {
        method,
        headers: { ...UA, authorization },
        body: JSON.stringify({ access_token: tokenValue }),
      });
    expect((await call('POST', good, 'dummy')).status).toBe(404);
    expect((await call('POST', basic(FAKE_GITHUB_OAUTH_APP.clientId, 'bad'), 'dummy')).status).toBe(401);
    expect((await call('POST', good, access_token)).status).toBe(200);
    expect((await call('DELETE', good, access_token)).status).toBe(204);
    expect(gh.state.revokedTokens.has(access_token)).toBe(true);
    expect((await call('DELETE', good, access_token)).status).toBe(404);
  });

  it('requires a User-Agent, and injects faults', async () => {
    const { access_token } = gh.issueToken();
    const noUa = await fetch(`${gh.apiUrl}/user`, {
      headers: { authorization: `token ${access_token}`, 'user-agent': '' },
    });
    expect(noUa.status).toBe(403);

    gh.injectFault('token', { kind: 'rate_limit', retryAfterSeconds: 7 });
    gh.injectFault('token', { kind: 'hang' });
    const limited = await token({});
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    const controller = new AbortController();
    const hanging = fetch(`${gh.oauthUrl}/access_token`, { method: 'POST', signal: controller.signal });
    await expect.poll(() => gh.state.calls.token).toBe(2);
    controller.abort();
    await expect(hanging).rejects.toThrow();
  });
});
