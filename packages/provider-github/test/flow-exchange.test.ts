import { type FetchLike, type Logger, OAuthFlowError } from '@org/mcp-oauth-core';
import { FAKE_GITHUB_APP } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoSecrets,
  type FlowHarness,
  fakeSecrets,
  rejectionOf,
  startFlowHarness,
} from './flow-harness.js';

/** What the injected fetch does with the next token-endpoint request. */
type TokenEndpointMode = 'pass' | 'unreachable' | 'no_access_token';

describe('handleCallback: code exchange and identity failures (github() against the fake GitHub)', () => {
  let h: FlowHarness;
  let mode: TokenEndpointMode = 'pass';
  const logs: string[] = [];
  const states: string[] = [];

  const record =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      logs.push(`${level} ${message} ${JSON.stringify(fields)}`);
    };
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };

  const steerable: FetchLike = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(`${h.fake.oauthUrl}/access_token`) || mode === 'pass') return fetch(input, init);
    if (mode === 'unreachable') throw new TypeError('fetch failed');
    const response = await fetch(input, init);
    const body = (await response.json()) as Record<string, unknown>;
    delete body.access_token;
    return Response.json(body);
  };

  beforeAll(async () => {
    h = await startFlowHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** authorize → approve → callback on a flow with the steerable fetch and the recording logger. */
  async function callback(
    setup: () => void,
    input: { clientId?: string; clientSecret?: string } = {},
  ): Promise<{ error: unknown; instanceId: string }> {
    const flow = h.createFlow({ fetch: steerable, logger });
    const { instanceId, params, state } = await h.authorize(input, flow);
    states.push(state);
    setup();
    try {
      return { error: await rejectionOf(flow.handleCallback('github', params)), instanceId };
    } finally {
      mode = 'pass';
    }
  }

  async function expectNothingStored(instanceId: string): Promise<void> {
    expect(await h.store.credentials.getCredential(instanceId)).toBeNull();
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({
      status: 'pending_oauth',
      upstreamLogin: null,
    });
  }

  it('a 5xx from the token endpoint is OAUTH_UPSTREAM_UNAVAILABLE, not an invalid response', async () => {
    const { error, instanceId } = await callback(() =>
      h.fake.injectFault('token', { kind: 'status', status: 502 }),
    );
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect(error).toMatchObject({ code: 'OAUTH_UPSTREAM_UNAVAILABLE' });
    await expectNothingStored(instanceId);
  });

  it('a 429 from the token endpoint is OAUTH_UPSTREAM_UNAVAILABLE', async () => {
    const { error, instanceId } = await callback(() =>
      h.fake.injectFault('token', { kind: 'rate_limit', retryAfterSeconds: 30 }),
    );
    expect(error).toMatchObject({ code: 'OAUTH_UPSTREAM_UNAVAILABLE' });
    await expectNothingStored(instanceId);
  });

  it('a network failure at the token endpoint is OAUTH_UPSTREAM_UNAVAILABLE', async () => {
    const { error, instanceId } = await callback(() => {
      mode = 'unreachable';
    });
    expect(error).toMatchObject({ code: 'OAUTH_UPSTREAM_UNAVAILABLE' });
    await expectNothingStored(instanceId);
  });

  it('a 200 token response without access_token is OAUTH_TOKEN_RESPONSE_INVALID', async () => {
    const { error, instanceId } = await callback(() => {
      mode = 'no_access_token';
    });
    expect(error).toMatchObject({ code: 'OAUTH_TOKEN_RESPONSE_INVALID' });
    await expectNothingStored(instanceId);
  });

  it('client credentials the provider refuses are OAUTH_CODE_REJECTED (incorrect_client_credentials)', async () => {
    const { error, instanceId } = await callback(() => {}, {
      clientId: FAKE_GITHUB_APP.clientId,
      clientSecret: 'w'.repeat(40),
    });
    expect(error).toMatchObject({
      code: 'OAUTH_CODE_REJECTED',
      providerError: 'incorrect_client_credentials',
    });
    expect((error as Error).message).not.toContain('w'.repeat(40));
    await expectNothingStored(instanceId);
  });

  /** Tokens the fake issued since `before` (a snapshot of its token keys). */
  function issuedSince(before: ReadonlySet<string>): string[] {
    return [...h.fake.state.tokens.keys()].filter((token) => !before.has(token));
  }

  async function callbackFailedDetails(instanceId: string): Promise<Record<string, unknown> | undefined> {
    const rows = await h.rows('mcp_audit_log');
    const failed = rows.filter(
      (row) => row.instance_id === instanceId && row.event === 'oauth.callback_failed',
    );
    const details = failed.at(-1)?.details;
    return (typeof details === 'string' ? JSON.parse(details) : details) as
      | Record<string, unknown>
      | undefined;
  }

  it('regression: a failing GET /user after the exchange is OAUTH_IDENTITY_FAILED, stores no token and revokes the issued one at GitHub', async () => {
    const before = new Set(h.fake.state.tokens.keys());
    const revokeCalls = h.fake.state.calls.revoke;
    const { error, instanceId } = await callback(() =>
      h.fake.injectFault('api', { kind: 'status', status: 500 }),
    );
    expect(error).toBeInstanceOf(OAuthFlowError);
    expect(error).toMatchObject({ code: 'OAUTH_IDENTITY_FAILED' });
    // GitHub did issue a token; it must not have been stored, and it was revoked (it used to stay valid).
    const [issued] = issuedSince(before);
    expect(issuedSince(before)).toHaveLength(1);
    await expectNothingStored(instanceId);
    expect(h.fake.state.calls.revoke).toBe(revokeCalls + 1);
    expect(h.fake.state.revokedTokens.has(issued ?? '')).toBe(true);
    expect(h.fake.isTokenLive(issued ?? '')).toBe(false);
    expect(await callbackFailedDetails(instanceId)).toMatchObject({
      code: 'OAUTH_IDENTITY_FAILED',
      unsavedTokens: 'revoked',
    });
  });

  it('an instance-owned GitHub App: the unsaved access and refresh tokens are both revoked', async () => {
    const before = new Set(h.fake.state.tokens.keys());
    const { error } = await callback(() => h.fake.injectFault('api', { kind: 'status', status: 500 }), {
      clientId: FAKE_GITHUB_APP.clientId,
      clientSecret: FAKE_GITHUB_APP.clientSecret,
    });
    expect(error).toMatchObject({ code: 'OAUTH_IDENTITY_FAILED' });
    const [issued] = issuedSince(before);
    const refreshToken = h.fake.state.tokens.get(issued ?? '')?.refreshToken;
    expect(refreshToken).toEqual(expect.any(String));
    expect(h.fake.state.revokedTokens.has(issued ?? '')).toBe(true);
    expect(h.fake.state.revokedTokens.has(refreshToken ?? '')).toBe(true);
  });

  it('a revocation that fails too still reports OAUTH_IDENTITY_FAILED, and the audit says so', async () => {
    const before = new Set(h.fake.state.tokens.keys());
    const { error, instanceId } = await callback(() =>
      // The first fault answers GET /user, the second the revocation.
      h.fake.injectFault('api', { kind: 'status', status: 500 }, 2),
    );
    expect(error).toMatchObject({ code: 'OAUTH_IDENTITY_FAILED' });
    expect(h.fake.isTokenLive(issuedSince(before)[0] ?? '')).toBe(true);
    await expectNothingStored(instanceId);
    expect(await callbackFailedDetails(instanceId)).toMatchObject({ unsavedTokens: 'revocation_failed' });
    expect(logs.some((line) => line.startsWith('warn revoking an unsaved upstream token failed'))).toBe(true);
  });

  it('re-authorizing an active instance: an identity failure keeps the new token, never risking the served grant', async () => {
    const { instanceId } = await h.connect();
    const served = await h.flow.getAccessToken(instanceId);
    const before = new Set(h.fake.state.tokens.keys());
    const revokeCalls = h.fake.state.calls.revoke;
    const flow = h.createFlow({ fetch: steerable, logger });
    const { params } = await h.authorize({ instanceId }, flow);
    h.fake.injectFault('api', { kind: 'status', status: 500 });
    const error = await rejectionOf(flow.handleCallback('github', params));
    expect(error).toMatchObject({ code: 'OAUTH_IDENTITY_FAILED' });
    expect(h.fake.state.calls.revoke).toBe(revokeCalls);
    expect(h.fake.isTokenLive(issuedSince(before)[0] ?? '')).toBe(true);
    expect(h.fake.isTokenLive(served.accessToken)).toBe(true);
    expect(await h.flow.getAccessToken(instanceId)).toMatchObject({ accessToken: served.accessToken });
    expect(await callbackFailedDetails(instanceId)).toMatchObject({ unsavedTokens: 'kept' });
  });

  it('none of the failures put a secret into logs, error messages, audit records or tables', async () => {
    logs.length = 0;
    const errors = [
      (await callback(() => h.fake.injectFault('token', { kind: 'status', status: 500 }))).error,
      (await callback(() => h.fake.injectFault('api', { kind: 'status', status: 500 }))).error,
      (await callback(() => {}, { clientId: FAKE_GITHUB_APP.clientId, clientSecret: 'w'.repeat(40) })).error,
    ];
    expect(logs.length).toBeGreaterThanOrEqual(3);
    const secrets = [...fakeSecrets(h.fake), ...states, 'w'.repeat(40)];
    expectNoSecrets(logs.join('\n'), secrets);
    expectNoSecrets(await h.dumpAllTables(), secrets);
    for (const error of errors) {
      expectNoSecrets(
        `${String(error)} ${JSON.stringify(error)} ${JSON.stringify({ ...(error as object) })}`,
        secrets,
      );
    }
  });
});
