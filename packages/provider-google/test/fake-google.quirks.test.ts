import { createHash, createPublicKey, createVerify, type JsonWebKey, randomBytes } from 'node:crypto';
import { FAKE_GOOGLE_CLIENT, type FakeGoogle, GOOGLE_ISSUER, startFakeGoogle } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIRECT = 'http://127.0.0.1:1/callback';

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

describe('the fake Google imitates Google', () => {
  let fake: FakeGoogle;
  let now = Date.now();
  beforeAll(async () => {
    fake = await startFakeGoogle({ now: () => now });
  });
  afterAll(async () => {
    await fake?.close();
  });

  async function post(url: string, fields: Record<string, string>): Promise<TokenAnswer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Authorizes with `params` and redeems the code with the matching PKCE verifier. */
  async function grant(params: Record<string, string> = {}, verifierOverride?: string) {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(fake.authUrl);
    for (const [key, value] of Object.entries({
      client_id: FAKE_GOOGLE_CLIENT.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid email profile',
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...params,
    }))
      url.searchParams.set(key, value);
    const callback = await fake.approve(url);
    const answer = await post(fake.tokenUrl, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      client_id: FAKE_GOOGLE_CLIENT.clientId,
      client_secret: FAKE_GOOGLE_CLIENT.clientSecret,
      code_verifier: verifierOverride ?? verifier,
    });
    return { callback, answer };
  }

  const refresh = (refreshToken: string) =>
    post(fake.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: FAKE_GOOGLE_CLIENT.clientId,
      client_secret: FAKE_GOOGLE_CLIENT.clientSecret,
    });

  it('issues a refresh token only for offline access, and on repeat consent only with prompt=consent', async () => {
    fake.approveAs('grace@example.com');
    const online = await grant();
    expect(online.answer.status).toBe(200);
    expect(online.answer.body.refresh_token).toBeUndefined();

    const first = await grant({ access_type: 'offline' });
    expect(first.answer.body.refresh_token).toMatch(/^1\/\/0/);
    expect(first.callback.searchParams.get('prompt')).toBe('consent');

    const repeat = await grant({ access_type: 'offline' });
    expect(repeat.callback.searchParams.get('prompt')).toBe('none');
    expect(repeat.answer.body.refresh_token).toBeUndefined();

    const reconsent = await grant({ access_type: 'offline', prompt: 'consent' });
    expect(reconsent.answer.body.refresh_token).toMatch(/^1\/\/0/);
    expect(reconsent.answer.body.refresh_token).not.toBe(first.answer.body.refresh_token);
    expect(fake.isTokenLive(String(first.answer.body.refresh_token))).toBe(true);
    fake.approveAs('ada@example.com');
  });

  it('answers token requests in Google shape with a verifiable RS256 id_token, and the callback with iss', async () => {
    const { callback, answer } = await grant({ access_type: 'offline', prompt: 'consent' });
    expect(callback.searchParams.get('iss')).toBe(GOOGLE_ISSUER);
    expect(callback.searchParams.get('scope')).toContain('https://www.googleapis.com/auth/userinfo.email');
    expect(answer.body).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
    expect(answer.body.access_token).toMatch(/^ya29\./);
    const idToken = String(answer.body.id_token);
    const [header, payload] = idToken
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'RS256' });
    expect(payload).toMatchObject({
      iss: GOOGLE_ISSUER,
      aud: FAKE_GOOGLE_CLIENT.clientId,
      email: 'ada@example.com',
    });
    const certs = (await (await fetch(`${fake.apiUrl}/oauth2/v3/certs`)).json()) as { keys: JsonWebKey[] };
    expect(certs.keys[0]).toMatchObject({ kid: header?.kid, kty: 'RSA' });
    const publicKey = createPublicKey({ key: certs.keys[0] ?? {}, format: 'jwk' });
    const signingInput = idToken.slice(0, idToken.lastIndexOf('.'));
    const signature = Buffer.from(idToken.slice(idToken.lastIndexOf('.') + 1), 'base64url');
    expect(createVerify('RSA-SHA256').update(signingInput).verify(publicKey, signature)).toBe(true);
  });

  it('refresh answers carry no refresh_token and the refresh token stays valid (non-rotating)', async () => {
    const { answer } = await grant({ access_type: 'offline', prompt: 'consent' });
    const refreshToken = String(answer.body.refresh_token);
    const calls = fake.state.refreshCalls;
    const one = await refresh(refreshToken);
    const two = await refresh(refreshToken);
    expect(fake.state.refreshCalls - calls).toBe(2);
    expect(one.status).toBe(200);
    expect(two.status).toBe(200);
    expect(one.body.refresh_token).toBeUndefined();
    expect(one.body.access_token).not.toBe(two.body.access_token);
    expect(fake.isTokenLive(String(answer.body.access_token))).toBe(true);
  });

  it('rejects bad credentials, verifiers, codes and grant types with 400/401 JSON errors', async () => {
    const wrongVerifier = await grant({}, 'x'.repeat(43));
    expect(wrongVerifier.answer).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid code verifier.' },
    });
    const badClient = await post(fake.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: FAKE_GOOGLE_CLIENT.clientId,
      client_secret: 'wrong',
    });
    expect(badClient).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await refresh('1//0unknown')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const unsupported = await post(fake.tokenUrl, {
      grant_type: 'password',
      client_id: FAKE_GOOGLE_CLIENT.clientId,
      client_secret: FAKE_GOOGLE_CLIENT.clientSecret,
    });
    expect(unsupported).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });

  it('injects 5xx and 429 with Retry-After on the token endpoint', async () => {
    fake.injectTokenFault({ kind: 'rate_limit', retryAfterSeconds: 7 });
    fake.injectTokenFault({ kind: 'status', status: 502 });
    const limited = await fetch(fake.tokenUrl, { method: 'POST', body: 'grant_type=refresh_token' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toMatchObject({ error: 'rate_limit_exceeded' });
    const down = await fetch(fake.tokenUrl, { method: 'POST', body: 'grant_type=refresh_token' });
    expect(down.status).toBe(502);
    await down.body?.cancel();
  });

  it('revoking an access token ends the whole grant; a second revocation is 400 invalid_token', async () => {
    const { answer } = await grant({ access_type: 'offline', prompt: 'consent' });
    const access = String(answer.body.access_token);
    expect(await post(fake.revokeUrl, { token: access })).toEqual({ status: 200, body: {} });
    expect(fake.isTokenLive(String(answer.body.refresh_token))).toBe(false);
    expect(await refresh(String(answer.body.refresh_token))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    });
    expect(await post(fake.revokeUrl, { token: access })).toMatchObject({
      status: 400,
      body: { error: 'invalid_token' },
    });
    const userinfo = await fetch(`${fake.apiUrl}/oauth2/v3/userinfo`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(userinfo.status).toBe(401);
    await userinfo.body?.cancel();
  });

  it('serves userinfo and tokeninfo for a live token and 401/400 once it expired', async () => {
    const { answer } = await grant();
    const access = String(answer.body.access_token);
    const userinfo = await fetch(`${fake.apiUrl}/oauth2/v3/userinfo`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(await userinfo.json()).toMatchObject({
      sub: '110169484474386276334',
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada Lovelace',
    });
    const info = await post(`${fake.apiUrl}/oauth2/v3/tokeninfo`, { access_token: access });
    expect(info.body).toMatchObject({
      expires_in: '3599',
      email: 'ada@example.com',
      aud: FAKE_GOOGLE_CLIENT.clientId,
    });
    now += 3599_000;
    expect(await post(`${fake.apiUrl}/oauth2/v3/tokeninfo`, { access_token: access })).toMatchObject({
      status: 400,
      body: { error: 'invalid_token' },
    });
    const expired = await fetch(`${fake.apiUrl}/oauth2/v3/userinfo`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(expired.status).toBe(401);
    await expired.body?.cancel();
  });
});
