import { InstanceError, RefreshError } from '@org/mcp-oauth-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleHarness, startGoogleHarness } from './google-harness.js';

const LIFETIME = 3599_000;
const MARGIN = 300_000;

describe('token manager + google() against the fake Google (non-rotating refresh)', () => {
  let h: GoogleHarness;
  beforeAll(async () => {
    h = await startGoogleHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Moves the clock into the refresh margin of the instance's current token. */
  async function makeDue(instanceId: string): Promise<void> {
    const expiresAt = (await h.credential(instanceId)).expiresAt?.getTime() ?? 0;
    h.clock.advance(expiresAt - MARGIN - h.clock.now());
  }

  /** Refresh tokens presented to the fake's token endpoint, oldest first. */
  function presentedRefreshTokens(): string[] {
    return h.fake.state.requests
      .filter((request) => request.route === 'token')
      .map((request) => new URLSearchParams(request.body))
      .filter((body) => body.get('grant_type') === 'refresh_token')
      .map((body) => body.get('refresh_token') ?? '');
  }

  it('refreshes a due token; Google sends no refresh_token, so the stored one is kept and works again', async () => {
    const { instanceId } = await h.connect();
    const refreshToken = await h.storedRefreshToken(instanceId);
    const firstAccess = await h.storedAccessToken(instanceId);
    const presented = presentedRefreshTokens().length;
    const calls = h.fake.state.refreshCalls;

    await makeDue(instanceId);
    const second = await h.tokens.getAccessToken(instanceId);
    expect(h.fake.state.refreshCalls - calls).toBe(1);
    expect(second.accessToken).not.toBe(firstAccess);
    expect(second.accessToken).toMatch(/^ya29\./);
    expect(h.fake.isTokenLive(second.accessToken)).toBe(true);
    let stored = await h.credential(instanceId);
    expect(stored.version).toBe(2);
    expect(stored.expiresAt?.getTime()).toBe(h.clock.now() + LIFETIME);
    expect(await h.storedRefreshToken(instanceId)).toBe(refreshToken);
    expect(h.fake.isTokenLive(refreshToken)).toBe(true);

    // Second cycle with the very same refresh token: non-rotating, still accepted.
    await makeDue(instanceId);
    const third = await h.tokens.getAccessToken(instanceId);
    expect(h.fake.state.refreshCalls - calls).toBe(2);
    expect(third.accessToken).not.toBe(second.accessToken);
    stored = await h.credential(instanceId);
    expect(stored.version).toBe(3);
    expect(await h.storedRefreshToken(instanceId)).toBe(refreshToken);
    const newlyPresented = presentedRefreshTokens().slice(presented);
    expect(newlyPresented).toHaveLength(2);
    expect(newlyPresented.every((token) => token === refreshToken)).toBe(true);
    expect(h.events.filter((e) => e.name === 'refreshed').length).toBeGreaterThanOrEqual(2);
  });

  it('forceRefresh reports rotated: false for Google and bumps the version', async () => {
    const { instanceId } = await h.connect();
    const result = await h.tokens.forceRefresh(instanceId);
    expect(result).toMatchObject({ instanceId, rotated: false, version: 2 });
  });

  it('a 429 with Retry-After while the token is still valid: the current token is served', async () => {
    const { instanceId } = await h.connect();
    const current = await h.storedAccessToken(instanceId);
    await makeDue(instanceId);
    h.fake.injectTokenFault({ kind: 'rate_limit', retryAfterSeconds: 30 });
    const calls = h.fake.state.refreshCalls;
    const served = await h.tokens.getAccessToken(instanceId);
    expect(h.fake.state.refreshCalls - calls).toBe(1);
    expect(served.accessToken).toBe(current);
    expect((await h.store.instances.getInstance(instanceId))?.status).toBe('active');
  });

  it('a 503 once the token has expired: REFRESH_TRANSIENT, the instance stays active', async () => {
    const { instanceId } = await h.connect();
    h.clock.advance(LIFETIME + 1);
    h.fake.injectTokenFault({ kind: 'status', status: 503 });
    const error = await h.tokens.getAccessToken(instanceId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshError);
    expect((error as RefreshError).code).toBe('REFRESH_TRANSIENT');
    expect((await h.store.instances.getInstance(instanceId))?.status).toBe('active');
  });

  it('invalid_grant after the user revoked the grant at Google → needs_reauth, no further refresh', async () => {
    const { instanceId } = await h.connect();
    const refreshToken = await h.storedRefreshToken(instanceId);
    expect(h.fake.revokeToken(refreshToken)).toBe(true);
    h.clock.advance(LIFETIME + 1);
    const error = await h.tokens.getAccessToken(instanceId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceError);
    expect((error as InstanceError).code).toBe('INSTANCE_NEEDS_REAUTH');
    expect((await h.credential(instanceId)).lastRefreshError).toMatch(/^REFRESH_TERMINAL: .*invalid_grant/);
    expect(JSON.stringify(error)).not.toContain(refreshToken);
    expect((await h.store.instances.getInstance(instanceId))?.status).toBe('needs_reauth');
    expect(h.events.some((e) => e.name === 'needs_reauth')).toBe(true);

    const calls = h.fake.state.refreshCalls;
    const again = await h.tokens.getAccessToken(instanceId).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(InstanceError);
    expect((again as InstanceError).code).toBe('INSTANCE_NEEDS_REAUTH');
    expect(h.fake.state.refreshCalls).toBe(calls);
  });
});
