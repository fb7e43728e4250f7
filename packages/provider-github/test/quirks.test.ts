import {
  FAKE_GITHUB_APP,
  FAKE_GITHUB_OAUTH_APP,
  type FakeGitHub,
  startFakeGitHub,
} from '@org/mcp-oauth-testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { github } from '../src/index.js';

const REDIRECT = 'http://127.0.0.1:1/callback';

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.close();
});

function provider() {
  return github({ baseUrl: gh.url, apiUrl: gh.apiUrl });
}

async function normalize(response: Response): Promise<Response> {
  const hook = provider().normalizeTokenResponse;
  if (!hook) throw new Error('github() must define normalizeTokenResponse');
  return hook(response);
}

/** Runs the authorize step against the fake and returns the code. */
async function code(clientId: string, scope = 'repo read:user'): Promise<string> {
  const url = new URL(provider().endpoints.authorization);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: 'st',
  }).toString();
  return (await gh.approve(url)).searchParams.get('code') ?? '';
}

/** Posts to the token endpoint the way a client_secret_post client does. */
function tokenCall(
  client: { clientId: string; clientSecret: string },
  fields: Record<string, string>,
  json = true,
) {
  return fetch(provider().endpoints.token, {
    method: 'POST',
    headers: json ? { accept: 'application/json' } : {},
    body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, ...fields }),
  });
}

describe('GitHub token endpoint quirks (normalizeTokenResponse)', () => {
  it('turns an error answered with HTTP 200 into a 400 JSON error', async () => {
    const raw = await tokenCall(FAKE_GITHUB_OAUTH_APP, { code: 'not-a-code', redirect_uri: REDIRECT });
    expect(raw.status).toBe(200);
    const fixed = await normalize(raw);
    expect(fixed.status).toBe(400);
    expect(fixed.headers.get('content-type')).toBe('application/json');
    expect(await fixed.json()).toMatchObject({
      error: 'bad_verification_code',
      error_description: expect.any(String),
    });
  });

  it('turns a form-encoded body (no Accept: application/json) into JSON, errors included', async () => {
    const ok = await normalize(
      await tokenCall(FAKE_GITHUB_APP, { code: await code(FAKE_GITHUB_APP.clientId) }, false),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json');
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 28800,
      refresh_token_expires_in: 15897600,
    });
    expect(body.access_token).toMatch(/^ghu_/);

    const bad = await normalize(await tokenCall(FAKE_GITHUB_OAUTH_APP, { code: 'nope' }, false));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad_verification_code' });
  });

  it('converts comma-separated scopes to space-separated', async () => {
    const raw = await tokenCall(FAKE_GITHUB_OAUTH_APP, { code: await code(FAKE_GITHUB_OAUTH_APP.clientId) });
    const body = (await (await normalize(raw)).json()) as Record<string, unknown>;
    expect(body.scope).toBe('repo read:user');
  });

  it('keeps OAuth App tokens without expiry and without refresh token', async () => {
    const raw = await tokenCall(FAKE_GITHUB_OAUTH_APP, { code: await code(FAKE_GITHUB_OAUTH_APP.clientId) });
    const body = (await (await normalize(raw)).json()) as Record<string, unknown>;
    expect(body.access_token).toMatch(/^gho_/);
    expect(body).not.toHaveProperty('expires_in');
    expect(body).not.toHaveProperty('refresh_token');
    expect(gh.isTokenLive(String(body.access_token))).toBe(true);
  });

  it('GitHub App: expiring token, rotating single-use refresh token (bad_refresh_token on reuse)', async () => {
    const first = (await (
      await normalize(await tokenCall(FAKE_GITHUB_APP, { code: await code(FAKE_GITHUB_APP.clientId) }))
    ).json()) as Record<string, unknown>;
    expect(first.expires_in).toBe(28800);
    const refresh = { grant_type: 'refresh_token', refresh_token: String(first.refresh_token) };

    const second = await normalize(await tokenCall(FAKE_GITHUB_APP, refresh));
    const rotated = (await second.json()) as Record<string, unknown>;
    expect(second.status).toBe(200);
    expect(rotated.refresh_token).toMatch(/^ghr_/);
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.refresh_token_expires_in).toBe(15897600);

    const reuse = await normalize(await tokenCall(FAKE_GITHUB_APP, refresh));
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'bad_refresh_token' });
    expect(gh.state.refreshCalls).toBe(2);
  });

  it('passes non-200 answers (5xx, 429) through untouched', async () => {
    gh.injectFault('token', { kind: 'status', status: 502 });
    gh.injectFault('token', { kind: 'rate_limit', retryAfterSeconds: 30 });
    const unicorn = await normalize(await tokenCall(FAKE_GITHUB_OAUTH_APP, { code: 'x' }));
    expect(unicorn.status).toBe(502);
    expect(unicorn.headers.get('content-type')).toContain('text/html');
    const limited = await normalize(await tokenCall(FAKE_GITHUB_OAUTH_APP, { code: 'x' }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
  });
});

describe('GitHub revocation quirk (DELETE /applications/{client_id}/token, Basic auth)', () => {
  it('revokes with Basic auth and a JSON body; 404 (already gone) is fine', async () => {
    const p = provider();
    const { access_token } = gh.issueToken({ clientId: FAKE_GITHUB_APP.clientId });
    await p.revokeToken?.({ token: access_token, client: FAKE_GITHUB_APP, fetch });
    expect(gh.isTokenLive(access_token)).toBe(false);
    const request = gh.state.requests.at(-1);
    expect(request).toMatchObject({ method: 'DELETE', route: 'revoke' });
    expect(request?.headers.authorization).toMatch(/^Basic /);
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ access_token });
    await expect(
      p.revokeToken?.({ token: access_token, client: FAKE_GITHUB_APP, fetch }),
    ).resolves.toBeUndefined();
  });

  it('fails with RevocationError on bad client credentials, without the token in the message', async () => {
    const { access_token } = gh.issueToken();
    const client = { clientId: FAKE_GITHUB_OAUTH_APP.clientId, clientSecret: 'wrong-secret' };
    const error = await provider()
      .revokeToken?.({ token: access_token, client, fetch })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RevocationError', code: 'REVOCATION_FAILED', status: 401 });
    expect(String((error as Error).message)).not.toContain(access_token);
    expect(gh.isTokenLive(access_token)).toBe(true);
  });
});
