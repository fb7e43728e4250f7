import { PGlite } from '@electric-sql/pglite';
import {
  createKeyRing,
  createOAuthFlow,
  generateKey,
  isMcpOAuthError,
  type OAuthFlow,
  registerServices,
  type Store,
} from '@org/mcp-oauth-core';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '@org/mcp-oauth-core/kysely';
import {
  FAKE_GITHUB_APP,
  FAKE_GITHUB_OAUTH_APP,
  type FakeGitHub,
  startFakeGitHub,
} from '@org/mcp-oauth-testing';
import { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { github } from '../src/index.js';

const CALLBACK = 'http://127.0.0.1:1/api/v1/auth-registry/auth/callback/github';

describe('createOAuthFlow with github() against the fake GitHub (PGlite store)', () => {
  let gh: FakeGitHub;
  let pg: PGlite;
  let db: Kysely<Database>;
  let store: Store;
  let flow: OAuthFlow;

  beforeAll(async () => {
    gh = await startFakeGitHub();
    pg = await PGlite.create();
    db = new Kysely<Database>({ dialect: createPGliteDialect(pg) });
    await migrateToLatest(db);
    store = createKyselyStore(db, { locking: 'in-process' });
    const provider = github({ baseUrl: gh.url, apiUrl: gh.apiUrl });
    await registerServices(store, [provider]);
    flow = createOAuthFlow({
      store,
      keyRing: createKeyRing([{ id: 'k1', key: generateKey() }]),
      providers: [provider],
      defaultClients: { github: { ...FAKE_GITHUB_OAUTH_APP } },
      callbackUrl: () => CALLBACK,
      allowInsecureRequests: true,
    });
  });
  afterAll(async () => {
    await db.destroy();
    await gh.close();
  });

  /** authorize → the fake approves → callback parameters. */
  async function authorize(input: { clientId?: string; clientSecret?: string; scopes?: string[] } = {}) {
    const request = await flow.createAuthorizationRequest({
      serviceName: 'github',
      userId: 'user-1',
      ...input,
    });
    return {
      instanceId: request.instanceId,
      params: (await gh.approve(request.authorizationUrl)).searchParams,
    };
  }

  it('OAuth App: PKCE flow, comma scopes read, non-expiring token stored encrypted', async () => {
    const { instanceId, params } = await authorize({ scopes: ['repo', 'read:user'] });
    expect([...gh.state.codes.values()].at(-1)?.codeChallengeMethod).toBe('S256');

    const result = await flow.handleCallback('github', params);
    expect(result).toMatchObject({ instanceId, status: 'active', login: 'octocat' });
    expect(await store.instances.getInstance(instanceId)).toMatchObject({
      status: 'active',
      upstreamSubject: '583231',
      upstreamLogin: 'octocat',
    });
    const credential = await store.credentials.getCredential(instanceId);
    expect(credential).toMatchObject({
      grantedScopes: ['repo', 'read:user'],
      expiresAt: null,
      refreshTokenCiphertext: null,
    });
    expect(credential?.accessTokenCiphertext).not.toMatch(/gho_/);

    const { accessToken } = await flow.getAccessToken(instanceId);
    expect(gh.isTokenLive(accessToken)).toBe(true);
  });

  it('GitHub App: expiring token, rotating refresh, terminal bad_refresh_token', async () => {
    const { instanceId, params } = await authorize({ ...FAKE_GITHUB_APP });
    await flow.handleCallback('github', params);
    const stored = await store.credentials.getCredential(instanceId);
    expect(stored?.expiresAt).toBeInstanceOf(Date);
    expect(stored?.refreshExpiresAt).toBeInstanceOf(Date);

    const refreshed = await flow.refreshTokens(instanceId);
    expect(refreshed).toMatchObject({ rotated: true });
    expect(gh.state.refreshCalls).toBe(1);

    const live = [...gh.state.refreshTokens.values()].filter((t) => !t.used);
    expect(live).toHaveLength(1);
    gh.expireToken(live[0]?.token ?? '');
    const error = await flow.refreshTokens(instanceId).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REFRESH_TERMINAL', providerError: 'bad_refresh_token' });
  });

  it('maps access_denied and a rejected code to distinct errors', async () => {
    gh.denyNextAuthorization();
    const denied = await authorize();
    expect(
      isMcpOAuthError(
        await flow.handleCallback('github', denied.params).catch((e) => e),
        'OAUTH_ACCESS_DENIED',
      ),
    ).toBe(true);

    const { params } = await authorize();
    params.set('code', 'forged');
    const rejected = await flow.handleCallback('github', params).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ code: 'OAUTH_CODE_REJECTED', providerError: 'bad_verification_code' });
  });

  it('revokes through DELETE /applications/{client_id}/token and validates client credentials live', async () => {
    const { instanceId, params } = await authorize();
    await flow.handleCallback('github', params);
    const { accessToken } = await flow.getAccessToken(instanceId);
    await expect(flow.revokeTokens(instanceId)).resolves.toMatchObject({ revoked: true });
    expect(gh.state.revokedTokens.has(accessToken)).toBe(true);

    const report = await flow.validateCredentials('github', { ...FAKE_GITHUB_OAUTH_APP });
    expect(report.checks.clientLive).toMatchObject({ valid: true });
    const bad = await flow.validateCredentials('github', {
      clientId: FAKE_GITHUB_OAUTH_APP.clientId,
      clientSecret: 'x'.repeat(40),
    });
    expect(bad).toMatchObject({ valid: false, checks: { clientLive: { valid: false } } });
  });
});
