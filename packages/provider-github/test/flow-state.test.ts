import { OAuthFlowError } from '@org/mcp-oauth-core';
import { FAKE_GITHUB_OAUTH_APP } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoSecrets,
  type FlowHarness,
  fakeSecrets,
  rejectionOf,
  startFlowHarness,
} from './flow-harness.js';

const TEN_MINUTES = 600_000;

describe('handleCallback: state handling (github() against the fake GitHub, PGlite store)', () => {
  let h: FlowHarness;
  /** Raw state values handed out in this file, for the "no state stored" assertions. */
  const states: string[] = [];

  beforeAll(async () => {
    h = await startFlowHarness({
      extraProviders: (base) => [{ ...base, id: 'github-enterprise', displayName: 'GHES' }],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  async function authorize() {
    const request = await h.authorize();
    states.push(request.state);
    return request;
  }

  /** Expects an OAuthFlowError with `code`, no credential for the instance, and no token-endpoint call. */
  async function expectRejected(
    promise: Promise<unknown>,
    code: string,
    instanceId: string | null,
  ): Promise<OAuthFlowError> {
    const tokenCalls = h.fake.state.calls.token;
    const credentials = await h.count('mcp_credentials');
    const error = await rejectionOf(promise);
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect(error).toMatchObject({ code });
    expect(h.fake.state.calls.token).toBe(tokenCalls);
    expect(await h.count('mcp_credentials')).toBe(credentials);
    if (instanceId) expect(await h.store.credentials.getCredential(instanceId)).toBeNull();
    return error as OAuthFlowError;
  }

  it('rejects a callback without state (OAUTH_STATE_MISSING) and leaves the instance pending', async () => {
    const { instanceId, params } = await authorize();
    params.delete('state');
    await expectRejected(h.flow.handleCallback('github', params), 'OAUTH_STATE_MISSING', instanceId);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'pending_oauth' });

    params.set('state', '');
    await expectRejected(h.flow.handleCallback('github', params), 'OAUTH_STATE_MISSING', instanceId);
  });

  it('rejects an unknown or oversized state (OAUTH_STATE_UNKNOWN)', async () => {
    const { instanceId, params } = await authorize();
    const code = params.get('code') ?? '';
    const forged = new URLSearchParams({ code, state: 'x'.repeat(43) });
    await expectRejected(h.flow.handleCallback('github', forged), 'OAUTH_STATE_UNKNOWN', instanceId);
    forged.set('state', 'y'.repeat(5000));
    await expectRejected(h.flow.handleCallback('github', forged), 'OAUTH_STATE_UNKNOWN', instanceId);

    // The genuine state was not touched by the forgeries.
    await expect(h.flow.handleCallback('github', params)).resolves.toMatchObject({ instanceId });
  });

  it('accepts a state 1 ms before its 10-minute expiry', async () => {
    const { instanceId, params } = await authorize();
    h.clock.advance(TEN_MINUTES - 1);
    await expect(h.flow.handleCallback('github', params)).resolves.toMatchObject({
      instanceId,
      status: 'active',
    });
  });

  it('rejects a state older than 10 minutes (OAUTH_STATE_EXPIRED), without calling the token endpoint', async () => {
    const { instanceId, params } = await authorize();
    h.clock.advance(TEN_MINUTES + 1);
    await expectRejected(h.flow.handleCallback('github', params), 'OAUTH_STATE_EXPIRED', instanceId);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'pending_oauth' });
  });

  it('rejects a replay after success (OAUTH_STATE_USED) without a second token request', async () => {
    const { instanceId, params } = await authorize();
    await h.flow.handleCallback('github', params);
    const before = await h.store.credentials.getCredential(instanceId);
    expect(before?.version).toBe(1);

    const tokenCalls = h.fake.state.calls.token;
    const error = await rejectionOf(h.flow.handleCallback('github', params));
    expect(error).toMatchObject({ code: 'OAUTH_STATE_USED' });
    expect(h.fake.state.calls.token).toBe(tokenCalls);
    // The stored credential is untouched by the replay.
    expect(await h.store.credentials.getCredential(instanceId)).toEqual(before);
  });

  it('20 concurrent replays of one callback: exactly one success, 19 OAUTH_STATE_USED, one token request', async () => {
    const { instanceId, params } = await authorize();
    const tokenCalls = h.fake.state.calls.token;
    const usedAudits = async () =>
      (await h.rows('mcp_audit_log')).filter(
        (row) =>
          row.event === 'oauth.callback_failed' && JSON.stringify(row.details).includes('OAUTH_STATE_USED'),
      ).length;
    const usedBefore = await usedAudits();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => h.flow.handleCallback('github', new URLSearchParams(params))),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(19);
    for (const reason of rejected) {
      expect(reason).toBeInstanceOf(OAuthFlowError);
      expect(reason).toMatchObject({ code: 'OAUTH_STATE_USED' });
    }
    expect(h.fake.state.calls.token - tokenCalls).toBe(1);
    expect(await h.store.credentials.getCredential(instanceId)).toMatchObject({ version: 1 });
    expect((await usedAudits()) - usedBefore).toBe(19);
  });

  it('rejects a state presented at another service (OAUTH_STATE_SERVICE_MISMATCH) and burns it', async () => {
    const { instanceId, params } = await authorize();
    await expectRejected(
      h.flow.handleCallback('github-enterprise', params),
      'OAUTH_STATE_SERVICE_MISMATCH',
      instanceId,
    );
    await expectRejected(h.flow.handleCallback('github', params), 'OAUTH_STATE_USED', instanceId);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'pending_oauth' });
  });

  it('maps access_denied to OAUTH_ACCESS_DENIED and marks the pending instance failed', async () => {
    h.fake.denyNextAuthorization();
    const { instanceId, params } = await authorize();
    expect(params.get('error')).toBe('access_denied');
    const error = await expectRejected(
      h.flow.handleCallback('github', params),
      'OAUTH_ACCESS_DENIED',
      instanceId,
    );
    expect(error.providerError).toBe('access_denied');
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'failed' });
    await expect(h.flow.getAccessToken(instanceId)).rejects.toMatchObject({ code: 'INSTANCE_NOT_ACTIVE' });
  });

  it('access_denied while re-authorizing an active instance keeps it active with its tokens', async () => {
    const { instanceId } = await h.connect();
    const credential = await h.store.credentials.getCredential(instanceId);
    h.fake.denyNextAuthorization();
    const { params } = await h.authorize({ instanceId });
    await expectRejected(h.flow.handleCallback('github', params), 'OAUTH_ACCESS_DENIED', null);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });
    expect(await h.store.credentials.getCredential(instanceId)).toEqual(credential);
  });

  it('maps other provider errors to OAUTH_PROVIDER_ERROR and never echoes an unsafe error value', async () => {
    h.fake.failNextAuthorization('temporarily_unavailable');
    const first = await authorize();
    const error = await expectRejected(
      h.flow.handleCallback('github', first.params),
      'OAUTH_PROVIDER_ERROR',
      first.instanceId,
    );
    expect(error.providerError).toBe('temporarily_unavailable');
    expect(await h.store.instances.getInstance(first.instanceId)).toMatchObject({ status: 'failed' });

    const second = await authorize();
    const params = new URLSearchParams({ state: second.state, error: '<script>alert(1)</script>' });
    const unsafe = await expectRejected(
      h.flow.handleCallback('github', params),
      'OAUTH_PROVIDER_ERROR',
      second.instanceId,
    );
    expect(unsafe.providerError).toBe('invalid_error');
    expect(unsafe.message).not.toContain('<script>');
  });

  it('rejects a callback with state but no code (OAUTH_CODE_MISSING)', async () => {
    const { instanceId, state } = await authorize();
    await expectRejected(
      h.flow.handleCallback('github', new URLSearchParams({ state })),
      'OAUTH_CODE_MISSING',
      instanceId,
    );
  });

  it('maps a code the provider rejects to OAUTH_CODE_REJECTED (bad_verification_code)', async () => {
    const { instanceId, params } = await authorize();
    const genuine = params.get('code') ?? '';
    params.set('code', `${genuine.slice(0, -1)}${genuine.endsWith('0') ? '1' : '0'}`);
    const tokenCalls = h.fake.state.calls.token;
    const error = await rejectionOf(h.flow.handleCallback('github', params));
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect(error).toMatchObject({ code: 'OAUTH_CODE_REJECTED', providerError: 'bad_verification_code' });
    expect(h.fake.state.calls.token).toBe(tokenCalls + 1);
    expect((error as Error).message).not.toContain(genuine);
    expect(await h.store.credentials.getCredential(instanceId)).toBeNull();
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'pending_oauth' });
  });

  it('PKCE: sends an S256 challenge, and the fake only redeems the code with the stored verifier', async () => {
    const { instanceId, authorizationUrl, params } = await authorize();
    const challenge = authorizationUrl.searchParams.get('code_challenge');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const code = params.get('code') ?? '';
    expect(h.fake.state.codes.get(code)).toMatchObject({
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });

    const redeem = async (verifier: string | null) => {
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: FAKE_GITHUB_OAUTH_APP.clientId,
        client_secret: FAKE_GITHUB_OAUTH_APP.clientSecret,
        redirect_uri: h.fake.state.codes.get(code)?.redirectUri ?? '',
      });
      if (verifier !== null) body.set('code_verifier', verifier);
      const response = await fetch(`${h.fake.oauthUrl}/access_token`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return (await response.json()) as Record<string, unknown>;
    };
    expect(await redeem('a'.repeat(43))).toMatchObject({ error: 'bad_verification_code' });
    expect(await redeem(null)).toMatchObject({ error: 'bad_verification_code' });

    // The flow still redeems the same code: it sent the verifier whose S256 hash is the challenge.
    await expect(h.flow.handleCallback('github', params)).resolves.toMatchObject({
      instanceId,
      status: 'active',
    });
    const exchange = h.fake.state.requests.filter((r) => r.route === 'token').at(-1);
    const verifier = new URLSearchParams(exchange?.body).get('code_verifier') ?? '';
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    expect(Buffer.from(digest).toString('base64url')).toBe(challenge);
  });

  it('writes audit records for success and failure that hold no token, state or code', async () => {
    const ok = await authorize();
    await h.flow.handleCallback('github', ok.params, { requestId: 'req-ok' });
    const okEvents = await h.store.audit.listAudit({ instanceId: ok.instanceId, limit: 10 });
    expect(okEvents.map((e) => e.event).sort()).toEqual(['oauth.completed', 'oauth.initiated']);
    expect(okEvents.find((e) => e.event === 'oauth.completed')).toMatchObject({
      outcome: 'success',
      requestId: 'req-ok',
      details: { serviceName: 'github', login: 'octocat' },
    });

    const bad = await authorize();
    bad.params.set('code', 'forged');
    await rejectionOf(h.flow.handleCallback('github', bad.params, { requestId: 'req-bad' }));
    const badEvents = await h.store.audit.listAudit({ instanceId: bad.instanceId, limit: 10 });
    expect(badEvents.find((e) => e.event === 'oauth.callback_failed')).toMatchObject({
      outcome: 'failure',
      requestId: 'req-bad',
      details: { serviceName: 'github', code: 'OAUTH_CODE_REJECTED' },
    });

    await rejectionOf(h.flow.handleCallback('github', new URLSearchParams({ state: 'nope', code: 'c' })));
    const [latest] = await h.store.audit.listAudit({ limit: 1 });
    expect(latest).toMatchObject({
      instanceId: null,
      event: 'oauth.callback_failed',
      details: { code: 'OAUTH_STATE_UNKNOWN' },
    });

    const audit = JSON.stringify(await h.rows('mcp_audit_log'));
    expectNoSecrets(audit, [...fakeSecrets(h.fake), ...states, 'forged']);
    // And nowhere else either: every table holds ciphertexts and hashes only.
    expectNoSecrets(await h.dumpAllTables(), [...fakeSecrets(h.fake), ...states]);
  });
});
