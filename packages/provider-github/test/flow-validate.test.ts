import { OAuthFlowError } from '@org/mcp-oauth-core';
import { FAKE_GITHUB_APP, FAKE_GITHUB_OAUTH_APP } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoSecrets,
  type FlowHarness,
  fakeSecrets,
  rejectionOf,
  startFlowHarness,
} from './flow-harness.js';

describe('validateCredentials (github() against the fake GitHub, PGlite store)', () => {
  let h: FlowHarness;

  beforeAll(async () => {
    h = await startFlowHarness({
      // Same GitHub, but a service whose baseline tools need `repo`.
      extraProviders: (base) => [
        { ...base, id: 'github-repo', displayName: 'GitHub (repo)', requiredScopes: ['repo'] },
      ],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const oauthApp = {
    clientId: FAKE_GITHUB_OAUTH_APP.clientId,
    clientSecret: FAKE_GITHUB_OAUTH_APP.clientSecret,
  };
  const githubApp = { clientId: FAKE_GITHUB_APP.clientId, clientSecret: FAKE_GITHUB_APP.clientSecret };

  /** The Basic-auth client id of the last client check the fake received. */
  function lastCheckedClient(): string | undefined {
    const check = h.fake.state.requests.filter((r) => r.route === 'check_token').at(-1);
    const basic = /^Basic (.+)$/.exec(check?.headers.authorization ?? '')?.[1] ?? '';
    return Buffer.from(basic, 'base64').toString('utf8').split(':')[0];
  }

  it('valid OAuth App credentials: format and live check pass', async () => {
    const calls = h.fake.state.calls.check_token;
    const report = await h.flow.validateCredentials('github', oauthApp);
    expect(report).toMatchObject({
      serviceName: 'github',
      valid: true,
      checks: { clientFormat: { valid: true }, clientLive: { valid: true } },
    });
    expect(report.checks.tokenFreshness).toBeUndefined();
    expect(h.fake.state.calls.check_token).toBe(calls + 1);
    expect(lastCheckedClient()).toBe(oauthApp.clientId);
    expectNoSecrets(JSON.stringify(report), fakeSecrets(h.fake));
  });

  it('a wrong secret fails the live check', async () => {
    const report = await h.flow.validateCredentials('github', { ...oauthApp, clientSecret: 'x'.repeat(40) });
    expect(report).toMatchObject({
      valid: false,
      checks: { clientFormat: { valid: true }, clientLive: { valid: false } },
    });
    expect(JSON.stringify(report)).not.toContain('x'.repeat(40));
  });

  it.each([
    ['a malformed clientId', { clientId: 'definitely not an id', clientSecret: 'x'.repeat(40) }],
    ['a clientId of the wrong shape', { clientId: 'Zz23liSomethingElse0', clientSecret: 'x'.repeat(40) }],
    ['a too short secret', { clientId: FAKE_GITHUB_OAUTH_APP.clientId, clientSecret: 'short' }],
  ])('%s fails the format check and makes no live call', async (_name, client) => {
    const calls = h.fake.state.calls.check_token;
    const report = await h.flow.validateCredentials('github', client);
    expect(report).toMatchObject({ valid: false, checks: { clientFormat: { valid: false } } });
    expect(report.checks.clientLive).toBeUndefined();
    expect(h.fake.state.calls.check_token).toBe(calls);
  });

  it('rejects half a client, an unknown service and an instance of another service', async () => {
    await expect(h.flow.validateCredentials('github', { clientId: oauthApp.clientId })).rejects.toMatchObject(
      {
        code: 'OAUTH_INVALID_REQUEST',
      },
    );
    const unknown = await rejectionOf(h.flow.validateCredentials('gitlab', oauthApp));
    expect(unknown).toBeInstanceOf(OAuthFlowError);
    expect(unknown).toMatchObject({ code: 'OAUTH_SERVICE_UNKNOWN' });
    const { instanceId } = await h.connect();
    await expect(h.flow.validateCredentials('github-repo', { instanceId })).rejects.toMatchObject({
      code: 'OAUTH_INVALID_REQUEST',
    });
  });

  it('without any client given or configured, the format check fails', async () => {
    const report = await h.createFlow({ defaultClients: {} }).validateCredentials('github', {});
    expect(report).toMatchObject({
      valid: false,
      checks: { clientFormat: { valid: false, detail: 'no client credentials given or configured' } },
    });
  });

  it('with an instance: token freshness, granted vs required scopes and API reachability', async () => {
    const { instanceId } = await h.connect({ scopes: ['repo', 'read:user'] });
    const apiCalls = h.fake.state.calls.user;
    const report = await h.flow.validateCredentials('github', { instanceId });
    expect(report).toMatchObject({
      valid: true,
      checks: {
        clientFormat: { valid: true },
        clientLive: { valid: true },
        tokenFreshness: { valid: true, expiresAt: null },
        scopes: { valid: true, granted: ['repo', 'read:user'], required: [], missing: [] },
        apiReachability: { valid: true, status: 200 },
      },
    });
    expect(h.fake.state.calls.user).toBe(apiCalls + 1);
    expectNoSecrets(JSON.stringify(report), fakeSecrets(h.fake));
  });

  it('reads granted scopes live from the API and reports the missing required ones', async () => {
    const { instanceId } = await h.connect({
      serviceName: 'github-repo',
      ...oauthApp,
      scopes: ['repo', 'read:user'],
    });
    const ok = await h.flow.validateCredentials('github-repo', { instanceId });
    expect(ok.checks.scopes).toMatchObject({ valid: true, required: ['repo'], missing: [] });

    // The user narrowed the grant on github.com: the stored scopes still say `repo`, the API no longer does.
    const { accessToken } = await h.flow.getAccessToken(instanceId);
    const token = h.fake.state.tokens.get(accessToken);
    if (token) token.scopes = ['read:user'];
    const narrowed = await h.flow.validateCredentials('github-repo', { instanceId });
    expect(narrowed).toMatchObject({
      valid: false,
      checks: { scopes: { valid: false, granted: ['read:user'], required: ['repo'], missing: ['repo'] } },
    });
  });

  it("uses the instance's own client for the live check", async () => {
    const { instanceId } = await h.connect(githubApp);
    const report = await h.flow.validateCredentials('github', { instanceId });
    expect(report.checks.clientLive).toMatchObject({ valid: true });
    expect(lastCheckedClient()).toBe(githubApp.clientId);
    expect(report.checks.tokenFreshness).toMatchObject({ valid: true, detail: 'the token is valid' });
  });

  it('an expired but refreshable token is reported as such, without probing the API', async () => {
    const { instanceId } = await h.connect(githubApp);
    const stored = await h.store.credentials.getCredential(instanceId);
    h.clock.advance(8 * 3600_000 + 1);
    const apiCalls = h.fake.state.calls.user;
    const report = await h.flow.validateCredentials('github', { instanceId });
    expect(report.checks.tokenFreshness).toMatchObject({
      valid: true,
      detail: 'the token expired and will be refreshed on next use',
      expiresAt: stored?.expiresAt?.toISOString(),
    });
    expect(report.checks.apiReachability).toBeUndefined();
    expect(h.fake.state.calls.user).toBe(apiCalls);
  });

  it('an instance without tokens fails token freshness', async () => {
    const { instanceId } = await h.flow.createAuthorizationRequest({
      serviceName: 'github',
      userId: 'user-1',
    });
    const report = await h.flow.validateCredentials('github', { instanceId });
    expect(report).toMatchObject({
      valid: false,
      checks: { tokenFreshness: { valid: false, detail: 'no tokens stored', expiresAt: null } },
    });
  });

  it('a token GitHub rejects (revoked) fails the API check and the report', async () => {
    const { instanceId } = await h.connect();
    const { accessToken } = await h.flow.getAccessToken(instanceId);
    h.fake.revokeToken(accessToken);
    const report = await h.flow.validateCredentials('github', { instanceId });
    expect(report.checks.apiReachability).toMatchObject({ valid: false, status: 401 });
    expect(report.valid).toBe(false);
  });
});
