import { OAuthFlowError } from '@org/mcp-oauth-core';
import { FAKE_GOOGLE_CLIENT, FAKE_GOOGLE_USERS, GOOGLE_ISSUER } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackUrl, type GoogleHarness, startGoogleHarness } from './google-harness.js';

const ADA = FAKE_GOOGLE_USERS[0];
const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';

describe('google() through the OAuth flow against the fake Google', () => {
  let h: GoogleHarness;
  beforeAll(async () => {
    h = await startGoogleHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('builds an authorization URL with offline access, consent and PKCE S256', async () => {
    const { authorizationUrl, params } = await h.authorize();
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(h.fake.authUrl);
    const query = authorizationUrl.searchParams;
    expect(query.get('access_type')).toBe('offline');
    expect(query.get('prompt')).toBe('consent');
    expect(query.get('include_granted_scopes')).toBe('true');
    expect(query.get('response_type')).toBe('code');
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('client_id')).toBe(FAKE_GOOGLE_CLIENT.clientId);
    expect(query.get('redirect_uri')).toBe(callbackUrl('google'));
    expect(query.get('scope')?.split(' ')).toEqual(['openid', 'email', 'profile']);
    // Google's callback carries iss (RFC 9207) besides code and state.
    expect(params.get('iss')).toBe(GOOGLE_ISSUER);
    expect(params.get('code')).toMatch(/^4\/0A/);
    expect(params.get('state')).toBe(query.get('state'));
  });

  it('accepts the callback with iss, stores an encrypted refresh token and the sub/email identity', async () => {
    const { instanceId, params } = await h.authorize();
    const result = await h.flow.handleCallback('google', params);
    expect(result).toMatchObject({ instanceId, serviceName: 'google', status: 'active', login: ADA?.email });

    const instance = await h.store.instances.getInstance(instanceId);
    expect(instance).toMatchObject({
      status: 'active',
      upstreamSubject: ADA?.sub,
      upstreamLogin: ADA?.email,
    });
    const stored = await h.credential(instanceId);
    const refreshToken = await h.storedRefreshToken(instanceId);
    expect(refreshToken).toMatch(/^1\/\/0/);
    expect(h.fake.isTokenLive(refreshToken)).toBe(true);
    expect(stored.refreshTokenCiphertext).not.toContain(refreshToken);
    expect(stored.accessTokenCiphertext).not.toContain(await h.storedAccessToken(instanceId));
    expect(stored.expiresAt?.getTime()).toBe(h.clock.now() + 3599_000);
    // Google answers the short scope names with their URL forms.
    expect([...stored.grantedScopes].sort()).toEqual([EMAIL, PROFILE, 'openid'].sort());
    expect(stored.version).toBe(1);
  });

  it('rejects a callback whose iss is not Google (mix-up defence)', async () => {
    const { params } = await h.authorize();
    params.set('iss', 'https://evil.example');
    const tokenCalls = h.fake.state.calls.token;
    const error = await h.flow.handleCallback('google', params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthFlowError);
    // Core classifies the failed iss check like a bad token response; the code is never redeemed.
    expect((error as OAuthFlowError).code).toBe('OAUTH_TOKEN_RESPONSE_INVALID');
    expect(h.fake.state.calls.token).toBe(tokenCalls);
  });

  it('maps a denied consent to OAUTH_ACCESS_DENIED and marks the pending instance failed', async () => {
    h.fake.denyNextAuthorization();
    const { instanceId, params } = await h.authorize();
    expect(params.get('error')).toBe('access_denied');
    const error = await h.flow.handleCallback('google', params).catch((e: unknown) => e);
    expect((error as OAuthFlowError).code).toBe('OAUTH_ACCESS_DENIED');
    expect((await h.store.instances.getInstance(instanceId))?.status).toBe('failed');
  });

  it('checkApi uses POST tokeninfo (token in the body, not the URL) and reports the granted scopes', async () => {
    const { instanceId } = await h.connect();
    const accessToken = await h.storedAccessToken(instanceId);
    const before = h.fake.state.requests.length;
    const result = await h.provider.checkApi?.({ accessToken, fetch });
    expect(result).toMatchObject({ reachable: true, status: 200 });
    expect([...(result?.grantedScopes ?? [])].sort()).toEqual([EMAIL, PROFILE, 'openid'].sort());
    const [request] = h.fake.state.requests.slice(before);
    expect(request).toMatchObject({ method: 'POST', route: 'tokeninfo', url: '/oauth2/v3/tokeninfo' });
  });

  it('validateCredentials with an instance: client format, fresh token, API reachable via tokeninfo', async () => {
    const { instanceId } = await h.connect();
    const report = await h.flow.validateCredentials('google', { instanceId });
    expect(report.checks.clientFormat.valid).toBe(true);
    expect(report.checks.tokenFreshness?.valid).toBe(true);
    expect(report.checks.apiReachability).toMatchObject({ valid: true, status: 200 });
    expect(report.checks.scopes?.granted).toContain(EMAIL);
    expect(JSON.stringify(report)).not.toContain(await h.storedAccessToken(instanceId));
  });

  it('requiredScopes use the full names Google grants (regression: `email` never matched "…/userinfo.email")', async () => {
    const { instanceId } = await h.connect();
    const report = await h.flow.validateCredentials('google', { instanceId });
    expect(report.checks.scopes).toMatchObject({ valid: true, missing: [] });
    expect(report.checks.scopes?.granted).toContain(EMAIL);
  });

  it('validateCredentials reports the API unusable once Google revoked the token', async () => {
    const { instanceId } = await h.connect();
    h.fake.revokeToken(await h.storedAccessToken(instanceId));
    const report = await h.flow.validateCredentials('google', { instanceId });
    expect(report.checks.apiReachability).toMatchObject({ valid: false, status: 400 });
    expect(report.valid).toBe(false);
  });

  it('revokeTokens POSTs the refresh token to /revoke (RFC 7009 form body), which ends the whole grant', async () => {
    const { instanceId } = await h.connect();
    const refreshToken = await h.storedRefreshToken(instanceId);
    const accessToken = await h.storedAccessToken(instanceId);
    const before = h.fake.state.requests.length;
    const result = await h.flow.revokeTokens(instanceId);

    const revokes = h.fake.state.requests.slice(before).filter((r) => r.route === 'revoke');
    expect(revokes[0]?.method).toBe('POST');
    expect(revokes[0]?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(new URLSearchParams(revokes[0]?.body).get('token') === refreshToken).toBe(true);
    expect(revokes[0]?.url).toBe('/revoke');
    expect(h.fake.isTokenLive(refreshToken)).toBe(false);
    expect(h.fake.isTokenLive(accessToken)).toBe(false);
    // Regression: core then also revokes the access token, which Google (already gone with the grant) answers
    // with 400 invalid_token; that used to be reported as a failed revocation.
    expect(revokes).toHaveLength(2);
    expect(result).toEqual({ revoked: true, detail: 'revoked upstream' });
  });
});
