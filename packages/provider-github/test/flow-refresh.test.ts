import {
  type CredentialRecord,
  type FetchLike,
  InstanceError,
  RefreshError,
  type Store,
  StoreError,
} from '@org/mcp-oauth-core';
import { FAKE_GITHUB_APP, FAKE_GITHUB_OAUTH_APP } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoSecrets,
  type FlowHarness,
  fakeSecrets,
  rejectionOf,
  startFlowHarness,
} from './flow-harness.js';

const EIGHT_HOURS = 8 * 3600_000;
const MARGIN = 300_000;

describe('refreshTokens and getAccessToken (GitHub App client, expiring tokens, injected clock)', () => {
  let h: FlowHarness;

  beforeAll(async () => {
    h = await startFlowHarness({ defaultClient: FAKE_GITHUB_APP });
  });
  afterAll(async () => {
    await h.close();
  });

  async function credential(instanceId: string): Promise<CredentialRecord> {
    const record = await h.store.credentials.getCredential(instanceId);
    if (!record) throw new Error('no credential stored');
    return record;
  }

  async function refreshTokenOf(record: CredentialRecord): Promise<string> {
    return h.keyRing.decrypt(record.refreshTokenCiphertext ?? '', {
      table: 'mcp_credentials',
      column: 'refresh_token',
      instanceId: record.instanceId,
    });
  }

  /** A connected GitHub App instance and the instant its access token expires. */
  async function connect() {
    const { instanceId } = await h.connect();
    const stored = await credential(instanceId);
    expect(stored.expiresAt?.getTime()).toBe(h.clock.now() + EIGHT_HOURS);
    return { instanceId, stored, expiresAt: stored.expiresAt?.getTime() ?? 0 };
  }

  /** Moves the clock to `offset` ms relative to `instant`. */
  function setClock(instant: number, offset: number): void {
    h.clock.advance(instant + offset - h.clock.now());
  }

  it('serves the stored token without calling the token endpoint until the 5-minute margin', async () => {
    const { instanceId, expiresAt } = await connect();
    const original = await h.flow.getAccessToken(instanceId);
    expect(h.fake.isTokenLive(original.accessToken)).toBe(true);
    setClock(expiresAt, -MARGIN - 1);
    const calls = h.fake.state.calls.token;
    const later = await h.flow.getAccessToken(instanceId);
    expect(later.accessToken).toBe(original.accessToken);
    expect(h.fake.state.calls.token).toBe(calls);
    expect((await credential(instanceId)).version).toBe(1);
  });

  it('refreshes once inside the margin: rotated refresh token saved, version up, old refresh token dead', async () => {
    const { instanceId, stored, expiresAt } = await connect();
    const oldRefresh = await refreshTokenOf(stored);
    const oldAccess = (await h.flow.getAccessToken(instanceId)).accessToken;
    setClock(expiresAt, -MARGIN);
    const refreshCalls = h.fake.state.refreshCalls;

    const token = await h.flow.getAccessToken(instanceId);
    expect(h.fake.state.refreshCalls - refreshCalls).toBe(1);
    expect(token.accessToken).not.toBe(oldAccess);
    expect(h.fake.isTokenLive(token.accessToken)).toBe(true);
    expect(token.expiresAt?.getTime()).toBe(h.clock.now() + EIGHT_HOURS);

    const saved = await credential(instanceId);
    expect(saved).toMatchObject({ version: stored.version + 1, refreshAttempts: 0, lastRefreshError: null });
    expect(saved.lastRefreshAt?.getTime()).toBe(h.clock.now());
    const newRefresh = await refreshTokenOf(saved);
    expect(newRefresh).not.toBe(oldRefresh);
    expect(h.fake.state.refreshTokens.get(newRefresh)).toMatchObject({
      used: false,
      accessToken: token.accessToken,
    });
    expect(h.fake.state.refreshTokens.get(oldRefresh)?.used).toBe(true);

    // Served from the database afterwards: no second refresh.
    await h.flow.getAccessToken(instanceId);
    expect(h.fake.state.refreshCalls - refreshCalls).toBe(1);
    const events = await h.store.audit.listAudit({ instanceId, limit: 10 });
    expect(events[0]).toMatchObject({
      event: 'token.refreshed',
      outcome: 'success',
      details: { rotated: true },
    });
    expectNoSecrets(await h.dumpAllTables(), fakeSecrets(h.fake));
  });

  it('keeps the old refresh token when the refresh response carries none (Google style)', async () => {
    let strip = false;
    const stripping: FetchLike = async (input, init) => {
      const response = await fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!strip || !url.startsWith(`${h.fake.oauthUrl}/access_token`)) return response;
      const body = (await response.json()) as Record<string, unknown>;
      delete body.refresh_token;
      delete body.refresh_token_expires_in;
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const flow = h.createFlow({ fetch: stripping });
    const { instanceId } = await h.connect({}, flow);
    const stored = await credential(instanceId);
    strip = true;

    const result = await flow.refreshTokens(instanceId);
    expect(result).toMatchObject({ rotated: false, version: stored.version + 1 });
    const saved = await credential(instanceId);
    expect(saved.refreshTokenCiphertext).toBe(stored.refreshTokenCiphertext);
    expect(saved.refreshExpiresAt).toEqual(stored.refreshExpiresAt);
    expect(saved.accessTokenCiphertext).not.toBe(stored.accessTokenCiphertext);
    const { accessToken } = await flow.getAccessToken(instanceId);
    expect(h.fake.isTokenLive(accessToken)).toBe(true);
  });

  it('a transient 5xx: REFRESH_TRANSIENT, attempt recorded without secrets, instance active, old token served', async () => {
    const { instanceId, stored, expiresAt } = await connect();
    const oldAccess = (await h.flow.getAccessToken(instanceId)).accessToken;
    setClock(expiresAt, -60_000);

    h.fake.injectFault('token', { kind: 'status', status: 502 });
    const error = await rejectionOf(h.flow.refreshTokens(instanceId));
    expect(error).toBeInstanceOf(RefreshError);
    expect(error).toMatchObject({ code: 'REFRESH_TRANSIENT', status: 502 });
    expect((error as RefreshError).terminal).toBe(false);
    let saved = await credential(instanceId);
    expect(saved).toMatchObject({
      refreshAttempts: 1,
      refreshTokenCiphertext: stored.refreshTokenCiphertext,
    });
    expect(saved.lastRefreshError).toMatch(/^REFRESH_TRANSIENT: /);
    expectNoSecrets(saved.lastRefreshError ?? '', [...fakeSecrets(h.fake), oldAccess]);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });

    // getAccessToken swallows the transient failure while the current token is still valid.
    h.fake.injectFault('token', { kind: 'status', status: 503 });
    const served = await h.flow.getAccessToken(instanceId);
    expect(served.accessToken).toBe(oldAccess);
    saved = await credential(instanceId);
    expect(saved.refreshAttempts).toBe(2);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });

    // Once upstream recovers the next call refreshes and resets the counter.
    const fresh = await h.flow.getAccessToken(instanceId);
    expect(fresh.accessToken).not.toBe(oldAccess);
    expect(await credential(instanceId)).toMatchObject({ refreshAttempts: 0, lastRefreshError: null });
  });

  it('a transient failure after the token expired is thrown by getAccessToken', async () => {
    const { instanceId, expiresAt } = await connect();
    setClock(expiresAt, 1);
    h.fake.injectFault('token', { kind: 'status', status: 500 });
    const error = await rejectionOf(h.flow.getAccessToken(instanceId));
    expect(error).toBeInstanceOf(RefreshError);
    expect(error).toMatchObject({ code: 'REFRESH_TRANSIENT', status: 500 });
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });
  });

  it('a 429 with Retry-After is transient with retryAfterMs', async () => {
    const { instanceId } = await connect();
    h.fake.injectFault('token', { kind: 'rate_limit', retryAfterSeconds: 42 });
    const error = await rejectionOf(h.flow.refreshTokens(instanceId));
    expect(error).toBeInstanceOf(RefreshError);
    expect(error).toMatchObject({ code: 'REFRESH_TRANSIENT', status: 429, retryAfterMs: 42_000 });
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });

    h.fake.injectFault('token', { kind: 'rate_limit', status: 403, retryAfterSeconds: 7 });
    const forbidden = await rejectionOf(h.flow.refreshTokens(instanceId));
    expect(forbidden).toMatchObject({ code: 'REFRESH_TRANSIENT', status: 403, retryAfterMs: 7000 });
  });

  it('a revoked grant: REFRESH_TERMINAL, needs_reauth, and getAccessToken refuses without calling upstream', async () => {
    const { instanceId } = await connect();
    const { accessToken } = await h.flow.getAccessToken(instanceId);
    h.fake.revokeToken(accessToken);

    const error = await rejectionOf(h.flow.refreshTokens(instanceId));
    expect(error).toBeInstanceOf(RefreshError);
    expect(error).toMatchObject({ code: 'REFRESH_TERMINAL', providerError: 'bad_refresh_token' });
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'needs_reauth' });
    const saved = await credential(instanceId);
    expect(saved.refreshAttempts).toBe(1);
    expect(saved.lastRefreshError).toMatch(/^REFRESH_TERMINAL: .*bad_refresh_token/);
    const [event] = await h.store.audit.listAudit({ instanceId, limit: 1 });
    expect(event).toMatchObject({ event: 'token.needs_reauth', outcome: 'failure' });

    const calls = h.fake.state.calls.token;
    const refused = await rejectionOf(h.flow.getAccessToken(instanceId));
    expect(refused).toBeInstanceOf(InstanceError);
    expect(refused).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
    expect(h.fake.state.calls.token).toBe(calls);
  });

  it('a reused (restored) refresh token inside the margin: getAccessToken throws INSTANCE_NEEDS_REAUTH', async () => {
    const { instanceId, stored, expiresAt } = await connect();
    await h.flow.refreshTokens(instanceId);
    // Restore the pre-refresh row (as a database restore would): its refresh token was already redeemed.
    const { version: _v, updatedAt: _u, ...old } = stored;
    await h.store.credentials.saveCredential(old, (await credential(instanceId)).version);
    setClock(expiresAt, -MARGIN);

    const error = await rejectionOf(h.flow.getAccessToken(instanceId));
    expect(error).toBeInstanceOf(InstanceError);
    expect(error).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
    expect((error as Error).cause).toMatchObject({
      code: 'REFRESH_TERMINAL',
      providerError: 'bad_refresh_token',
    });
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'needs_reauth' });
  });

  it('an OAuth App token (never expires, no refresh token): REFRESH_NOT_SUPPORTED, served without refresh', async () => {
    const { instanceId } = await h.connect({
      clientId: FAKE_GITHUB_OAUTH_APP.clientId,
      clientSecret: FAKE_GITHUB_OAUTH_APP.clientSecret,
    });
    expect(await credential(instanceId)).toMatchObject({ expiresAt: null, refreshTokenCiphertext: null });
    const calls = h.fake.state.calls.token;
    const error = await rejectionOf(h.flow.refreshTokens(instanceId));
    expect(error).toBeInstanceOf(RefreshError);
    expect(error).toMatchObject({ code: 'REFRESH_NOT_SUPPORTED' });
    h.clock.advance(365 * 24 * 3600_000);
    const { accessToken } = await h.flow.getAccessToken(instanceId);
    expect(h.fake.isTokenLive(accessToken)).toBe(true);
    expect(h.fake.state.calls.token).toBe(calls);
  });

  it('a failed save (concurrent writer bumped the version) propagates STORE_CONFLICT', async () => {
    let race = false;
    const racing: Store = {
      ...h.store,
      credentials: {
        ...h.store.credentials,
        async saveCredential(write, expectedVersion) {
          if (race) {
            race = false;
            // Another replica saves between our read and our write.
            const current = await h.store.credentials.getCredential(write.instanceId);
            if (current) {
              const { version, updatedAt: _u, ...rest } = current;
              await h.store.credentials.saveCredential(rest, version);
            }
          }
          return h.store.credentials.saveCredential(write, expectedVersion);
        },
      },
    };
    const flow = h.createFlow({ store: racing });
    const { instanceId } = await connect();
    const before = await credential(instanceId);

    race = true;
    const error = await rejectionOf(flow.refreshTokens(instanceId));
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'STORE_CONFLICT' });
    const after = await credential(instanceId);
    expect(after.version).toBe(before.version + 1);
    expect(after.accessTokenCiphertext).toBe(before.accessTokenCiphertext);

    // The same through getAccessToken, on an instance whose refresh token is still unused.
    const second = await connect();
    setClock(second.expiresAt, -MARGIN);
    race = true;
    const viaGet = await rejectionOf(flow.getAccessToken(second.instanceId));
    expect(viaGet).toBeInstanceOf(StoreError);
    expect(viaGet).toMatchObject({ code: 'STORE_CONFLICT' });
  });
});
