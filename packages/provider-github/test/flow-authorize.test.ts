import { InstanceError, OAuthFlowError, type Store, sha256Hex } from '@org/mcp-oauth-core';
import { FAKE_GITHUB_APP } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callbackUrl,
  expectNoSecrets,
  type FlowHarness,
  fakeSecrets,
  rejectionOf,
  startFlowHarness,
} from './flow-harness.js';

describe('createAuthorizationRequest (github() against the fake GitHub, PGlite store)', () => {
  let h: FlowHarness;

  beforeAll(async () => {
    h = await startFlowHarness({
      extraProviders: (base) => [{ ...base, id: 'github-enterprise', displayName: 'GHES' }],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  async function stateRow(state: string) {
    const hash = await sha256Hex(state);
    return (await h.rows('mcp_oauth_states')).find((row) => row.state_hash === hash);
  }

  it('builds the authorization URL with code, client, redirect, scope, state and an S256 challenge', async () => {
    const request = await h.flow.createAuthorizationRequest({
      serviceName: 'github',
      userId: 'user-1',
      scopes: ['repo', 'read:user', 'repo'],
    });
    const url = new URL(request.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${h.fake.url}/login/oauth/authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('Ov23liFakeOAuthApp01');
    expect(q.get('redirect_uri')).toBe(callbackUrl('github'));
    expect(q.get('scope')).toBe('repo read:user');
    expect(q.get('state')?.length).toBeGreaterThanOrEqual(43);
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('code_challenge_method')).toBe('S256');

    const again = new URL(
      (await h.flow.createAuthorizationRequest({ serviceName: 'github', userId: 'user-1' })).authorizationUrl,
    );
    expect(again.searchParams.get('state')).not.toBe(q.get('state'));
    expect(again.searchParams.get('code_challenge')).not.toBe(q.get('code_challenge'));
    expect(again.searchParams.get('scope')).toBe('read:user');
  });

  it('stores only the SHA-256 of the state, an encrypted verifier bound to the instance and a 10-minute expiry', async () => {
    const start = h.clock.now();
    const request = await h.flow.createAuthorizationRequest({
      serviceName: 'github',
      userId: 'user-1',
      redirectAfter: 'https://app.example.com/done',
    });
    const url = new URL(request.authorizationUrl);
    const state = url.searchParams.get('state') ?? '';
    expect(request.expiresAt.getTime()).toBe(start + 600_000);

    const row = await stateRow(state);
    expect(row).toMatchObject({
      instance_id: request.instanceId,
      service_name: 'github',
      redirect_uri: callbackUrl('github'),
      redirect_after: 'https://app.example.com/done',
      consumed_at: null,
    });
    expect(row?.expires_at).toEqual(new Date(start + 600_000));
    expect(row?.created_at).toEqual(new Date(start));

    const ciphertext = String(row?.code_verifier_ciphertext);
    const context = { table: 'mcp_oauth_states', column: 'code_verifier', instanceId: request.instanceId };
    const verifier = await h.keyRing.decrypt(ciphertext, context);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    expect(Buffer.from(digest).toString('base64url')).toBe(url.searchParams.get('code_challenge'));
    // Bound to its column and instance: the same ciphertext does not open elsewhere.
    await expect(
      h.keyRing.decrypt(ciphertext, { ...context, instanceId: crypto.randomUUID() }),
    ).rejects.toMatchObject({ code: 'CRYPTO_DECRYPT_FAILED' });
    await expect(h.keyRing.decrypt(ciphertext, { ...context, column: 'access_token' })).rejects.toMatchObject(
      {
        code: 'CRYPTO_DECRYPT_FAILED',
      },
    );

    const dump = await h.dumpAllTables();
    expect(dump).toContain(await sha256Hex(state));
    expectNoSecrets(dump, [state, verifier]);
    expect(await h.store.instances.getInstance(request.instanceId)).toMatchObject({
      serviceName: 'github',
      userId: 'user-1',
      status: 'pending_oauth',
      config: { scopes: ['read:user'], clientId: null, clientSecretCiphertext: null },
    });
  });

  it('re-arms an existing instance of the same service and owner: status kept, the new state works', async () => {
    const { instanceId } = await h.connect({ scopes: ['read:user'] });
    const first = await h.store.instances.getInstance(instanceId);

    const rearm = await h.authorize({ instanceId, scopes: ['repo'] });
    expect(rearm.instanceId).toBe(instanceId);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({
      status: 'active',
      createdAt: first?.createdAt,
      config: { scopes: ['repo'] },
    });
    await expect(h.flow.handleCallback('github', rearm.params)).resolves.toMatchObject({ instanceId });
    expect(await h.store.credentials.getCredential(instanceId)).toMatchObject({
      version: 2,
      grantedScopes: ['repo'],
    });

    // A pending instance stays pending when re-armed, and the fresh state completes it.
    const id = crypto.randomUUID();
    await h.flow.createAuthorizationRequest({ serviceName: 'github', userId: 'user-1', instanceId: id });
    const pending = await h.authorize({ instanceId: id });
    expect(await h.store.instances.getInstance(id)).toMatchObject({ status: 'pending_oauth' });
    await expect(h.flow.handleCallback('github', pending.params)).resolves.toMatchObject({
      instanceId: id,
      status: 'active',
    });
  });

  it('re-authorizing a needs_reauth instance brings it back to active with fresh tokens', async () => {
    const { instanceId } = await h.connect(ownClient());
    const { accessToken } = await h.flow.getAccessToken(instanceId);
    h.fake.revokeToken(accessToken);
    await expect(h.flow.refreshTokens(instanceId)).rejects.toMatchObject({ code: 'REFRESH_TERMINAL' });
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'needs_reauth' });
    const failed = await h.store.credentials.getCredential(instanceId);
    expect(failed?.refreshAttempts).toBe(1);

    const { params } = await h.authorize({ instanceId, redirectAfter: 'https://app.example.com/back' });
    await expect(h.flow.handleCallback('github', params)).resolves.toMatchObject({
      instanceId,
      status: 'active',
      redirectAfter: 'https://app.example.com/back',
    });
    expect(await h.store.credentials.getCredential(instanceId)).toMatchObject({
      version: (failed?.version ?? 0) + 1,
      refreshAttempts: 0,
      lastRefreshError: null,
    });
    const fresh = await h.flow.getAccessToken(instanceId);
    expect(fresh.accessToken).not.toBe(accessToken);
    expect(h.fake.isTokenLive(fresh.accessToken)).toBe(true);
  });

  it('refuses an instance id of another owner or service (INSTANCE_EXISTS) without touching it', async () => {
    const { instanceId } = await h.connect();
    const before = await h.dumpAllTables();
    const error = await rejectionOf(
      h.flow.createAuthorizationRequest({ serviceName: 'github', userId: 'intruder', instanceId }),
    );
    expect(error).toBeInstanceOf(InstanceError);
    expect(error).toMatchObject({ code: 'INSTANCE_EXISTS' });
    const otherService = await rejectionOf(
      h.flow.createAuthorizationRequest({
        serviceName: 'github-enterprise',
        userId: 'user-1',
        instanceId,
        ...ownClient(),
      }),
    );
    expect(otherService).toBeInstanceOf(InstanceError);
    expect(otherService).toMatchObject({ code: 'INSTANCE_EXISTS' });
    expect(await h.dumpAllTables()).toBe(before);
  });

  it('regression: of two concurrent requests for the same new instance id, the loser gets INSTANCE_EXISTS, not STORE_DUPLICATE', async () => {
    // Both requests read "no such instance" before either creates it: the race the bug lost to the store's
    // unique-key error (HTTP 409 STORE_DUPLICATE) instead of the error a sequential duplicate gets.
    let arrived = 0;
    let release = (): void => {};
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const racing: Store = {
      ...h.store,
      instances: {
        ...h.store.instances,
        async getInstance(instanceId) {
          const found = await h.store.instances.getInstance(instanceId);
          arrived += 1;
          if (arrived === 2) release();
          await bothRead;
          return found;
        },
      },
    };
    const flow = h.createFlow({ store: racing });
    const instanceId = crypto.randomUUID();
    const request = (userId: string) =>
      flow.createAuthorizationRequest({ serviceName: 'github', userId, instanceId });
    const outcomes = await Promise.allSettled([request('user-1'), request('user-1')]);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(InstanceError);
    expect(lost?.reason).toMatchObject({ code: 'INSTANCE_EXISTS' });
    // The winner's instance and its one state are intact.
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({
      userId: 'user-1',
      status: 'pending_oauth',
    });
    const states = (await h.rows('mcp_oauth_states')).filter((row) => row.instance_id === instanceId);
    expect(states).toHaveLength(1);
  });

  it('rejects a non-UUID instance id (INSTANCE_INVALID_ID) and an unknown service (OAUTH_SERVICE_UNKNOWN)', async () => {
    const before = await h.dumpAllTables();
    for (const instanceId of ['not-a-uuid', "1'; DROP TABLE mcp_service_table; --", '']) {
      const error = await rejectionOf(
        h.flow.createAuthorizationRequest({ serviceName: 'github', userId: 'user-1', instanceId }),
      );
      expect(error).toBeInstanceOf(InstanceError);
      expect(error).toMatchObject({ code: 'INSTANCE_INVALID_ID' });
    }
    const unknown = await rejectionOf(
      h.flow.createAuthorizationRequest({ serviceName: 'gitlab', userId: 'user-1' }),
    );
    expect(unknown).toBeInstanceOf(OAuthFlowError);
    expect(unknown).toMatchObject({ code: 'OAUTH_SERVICE_UNKNOWN' });
    expect(await h.dumpAllTables()).toBe(before);
  });

  it('rejects a request without a default client and without its own (OAUTH_CLIENT_MISSING)', async () => {
    const noDefault = h.createFlow({ defaultClients: {} });
    const before = await h.dumpAllTables();
    const error = await rejectionOf(
      noDefault.createAuthorizationRequest({ serviceName: 'github', userId: 'user-1' }),
    );
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect(error).toMatchObject({ code: 'OAUTH_CLIENT_MISSING' });
    expect(await h.dumpAllTables()).toBe(before);

    // With its own client the same flow works, also when the instance is re-armed without naming it again.
    const { instanceId } = await h.connect({ ...ownClient() }, noDefault);
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });
    const rearm = await h.authorize({ instanceId }, noDefault);
    expect(rearm.authorizationUrl.searchParams.get('client_id')).toBe(FAKE_GITHUB_APP.clientId);
    await expect(noDefault.handleCallback('github', rearm.params)).resolves.toMatchObject({ instanceId });
  });

  function ownClient() {
    return { clientId: FAKE_GITHUB_APP.clientId, clientSecret: FAKE_GITHUB_APP.clientSecret };
  }

  it("stores an instance's own client secret encrypted and uses that client at the token endpoint", async () => {
    const { instanceId, authorizationUrl, params } = await h.authorize(ownClient());
    expect(authorizationUrl.searchParams.get('client_id')).toBe(FAKE_GITHUB_APP.clientId);
    const instance = await h.store.instances.getInstance(instanceId);
    expect(instance?.config.clientId).toBe(FAKE_GITHUB_APP.clientId);
    const ciphertext = instance?.config.clientSecretCiphertext ?? '';
    expect(
      await h.keyRing.decrypt(ciphertext, {
        table: 'mcp_service_table',
        column: 'client_secret',
        instanceId,
      }),
    ).toBe(FAKE_GITHUB_APP.clientSecret);

    await h.flow.handleCallback('github', params);
    const exchange = new URLSearchParams(
      h.fake.state.requests.filter((r) => r.route === 'token').at(-1)?.body,
    );
    expect(exchange.get('client_id')).toBe(FAKE_GITHUB_APP.clientId);
    // GitHub App tokens are issued to the instance's client, not the host's OAuth App.
    const credential = await h.store.credentials.getCredential(instanceId);
    expect(credential?.refreshTokenCiphertext).not.toBeNull();
    const { accessToken } = await h.flow.getAccessToken(instanceId);
    expect(h.fake.state.tokens.get(accessToken)?.clientId).toBe(FAKE_GITHUB_APP.clientId);

    expectNoSecrets(await h.dumpAllTables(), fakeSecrets(h.fake));
  });

  it.each([
    ['an empty userId', { userId: '' }],
    ['a 201-character userId', { userId: 'u'.repeat(201) }],
    ['51 scopes', { scopes: Array.from({ length: 51 }, (_, i) => `scope${i}`) }],
    ['a scope with a space', { scopes: ['repo', 'read user'] }],
    ['an empty scope', { scopes: [''] }],
    ['redirectAfter javascript:alert(1)', { redirectAfter: 'javascript:alert(1)' }],
    ['a relative redirectAfter', { redirectAfter: '/done' }],
    ['clientId without clientSecret', { clientId: FAKE_GITHUB_APP.clientId }],
    ['clientSecret without clientId', { clientSecret: FAKE_GITHUB_APP.clientSecret }],
    [
      'a clientId that is no GitHub client id',
      { clientId: 'not a github id', clientSecret: 'secret-123456' },
    ],
  ])('rejects %s with OAUTH_INVALID_REQUEST and stores nothing', async (_name, input) => {
    const before = await h.dumpAllTables();
    const instanceId = crypto.randomUUID();
    const error = await rejectionOf(
      h.flow.createAuthorizationRequest({ serviceName: 'github', userId: 'user-1', instanceId, ...input }),
    );
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect(error).toMatchObject({ code: 'OAUTH_INVALID_REQUEST' });
    expect((error as Error).message).not.toContain('secret-123456');
    expect(await h.store.instances.getInstance(instanceId)).toBeNull();
    expect(await h.dumpAllTables()).toBe(before);
  });
});
