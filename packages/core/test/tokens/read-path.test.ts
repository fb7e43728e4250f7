import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InstanceError } from '../../src/errors/index.js';
import { at, createTokenHarness, MARGIN, rejectionOf, type TokenHarness } from './support/harness.js';

describe('token manager: cache → database (ARCHITECTURE.md §3 steps 1–2)', () => {
  let h: TokenHarness;
  beforeAll(async () => {
    h = await createTokenHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.counting.reset();
  });

  it('a cache hit outside the margin makes zero database queries and zero upstream calls', async () => {
    const seeded = await h.seed();
    const { tokens, cache } = h.manager();
    const first = await tokens.getAccessToken(seeded.instanceId);
    expect(first.accessToken).toBe(seeded.accessToken);
    expect(cache.entries.size).toBe(1);

    h.counting.reset();
    const calls = h.upstream.refreshCalls;
    for (let i = 0; i < 50; i++) {
      const token = await tokens.getAccessToken(seeded.instanceId);
      expect(token.accessToken).toBe(seeded.accessToken);
      expect(token.instance.instanceId).toBe(seeded.instanceId);
      expect(token.grantedScopes).toEqual(['read', 'write']);
    }
    expect(h.counting.calls).toEqual([]);
    expect(h.upstream.refreshCalls).toBe(calls);
    expect(tokens.stats().cache).toMatchObject({ hits: 50, misses: 1 });
  });

  it('a cold replica with a warm shared cache: the caller-supplied instance record avoids every query', async () => {
    const seeded = await h.seed();
    const warm = h.manager();
    const token = await warm.tokens.getAccessToken(seeded.instanceId);
    const cold = h.manager({ cache: warm.cache });
    h.counting.reset();
    const served = await cold.tokens.getAccessToken(seeded.instanceId, { instance: token.instance });
    expect(served.accessToken).toBe(seeded.accessToken);
    expect(h.counting.calls).toEqual([]);
  });

  it('the cache never holds the refresh token', async () => {
    const seeded = await h.seed();
    const { tokens, cache } = h.manager();
    await tokens.getAccessToken(seeded.instanceId);
    const entry = [...cache.entries.values()][0];
    expect(entry).toMatchObject({
      bearerToken: seeded.accessToken,
      refreshToken: null,
      status: 'active',
      version: 1,
    });
    expect(JSON.stringify(entry)).not.toContain(seeded.refreshToken ?? 'none');
  });

  it('a cache entry within the margin is not served: the database (or a refresh) decides', async () => {
    const seeded = await h.seed({ expiresInMs: MARGIN + 60_000 });
    const { tokens } = h.manager();
    await tokens.getAccessToken(seeded.instanceId);
    at(h, seeded.expiresAt ?? 0, -MARGIN);
    h.counting.reset();
    const token = await tokens.getAccessToken(seeded.instanceId);
    expect(token.accessToken).not.toBe(seeded.accessToken);
    expect(h.counting.calls).toContain('credentials.getCredential');
    expect(h.upstream.presented.at(-1)).toBe(seeded.refreshToken);
  });

  it('without a cache every call reads the database and never refreshes a fresh token', async () => {
    const seeded = await h.seed();
    const { tokens } = h.manager({ cache: undefined });
    const calls = h.upstream.refreshCalls;
    await tokens.getAccessToken(seeded.instanceId);
    await tokens.getAccessToken(seeded.instanceId);
    expect(h.counting.calls.filter((call) => call === 'credentials.getCredential')).toHaveLength(2);
    expect(h.upstream.refreshCalls).toBe(calls);
  });

  it('a failing cache falls back to the database, counted and logged without secrets', async () => {
    const seeded = await h.seed();
    const { tokens, cache } = h.manager();
    await tokens.getAccessToken(seeded.instanceId);
    cache.failing = true;
    const token = await tokens.getAccessToken(seeded.instanceId);
    expect(token.accessToken).toBe(seeded.accessToken);
    expect(tokens.stats().cache.errors).toBeGreaterThanOrEqual(1);
    const logged = JSON.stringify(h.logs);
    expect(logged).toContain('token cache read failed');
    expect(logged).not.toContain(seeded.accessToken);
  });

  it('tokens that never expire are never refreshed, even years later', async () => {
    const seeded = await h.seed({ expiresInMs: null });
    const { tokens } = h.manager();
    const calls = h.upstream.refreshCalls;
    h.clock.advance(3 * 365 * 24 * 3600_000);
    expect((await tokens.getAccessToken(seeded.instanceId)).accessToken).toBe(seeded.accessToken);
    expect(h.upstream.refreshCalls).toBe(calls);
  });

  it('an expired token without a refresh token asks for re-authorization without an upstream call', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000, withRefreshToken: false });
    const { tokens } = h.manager();
    h.clock.advance(120_000);
    const calls = h.upstream.refreshCalls;
    const error = await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    expect(error).toBeInstanceOf(InstanceError);
    expect(error).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
    expect(h.upstream.refreshCalls).toBe(calls);
  });

  it('refuses bad ids, unknown, pending and needs_reauth instances with coded errors', async () => {
    const { tokens } = h.manager();
    await expect(tokens.getAccessToken('nope')).rejects.toMatchObject({ code: 'INSTANCE_INVALID_ID' });
    await expect(tokens.getAccessToken(crypto.randomUUID())).rejects.toMatchObject({
      code: 'INSTANCE_NOT_FOUND',
    });
    const pending = await h.seed({ status: 'pending_oauth' });
    await expect(tokens.getAccessToken(pending.instanceId)).rejects.toMatchObject({
      code: 'INSTANCE_NOT_ACTIVE',
    });
    const reauth = await h.seed({ status: 'needs_reauth' });
    await expect(tokens.getAccessToken(reauth.instanceId)).rejects.toMatchObject({
      code: 'INSTANCE_NEEDS_REAUTH',
    });
  });

  it('1000 concurrent cold callers share one database read', async () => {
    const seeded = await h.seed();
    const { tokens } = h.manager();
    h.counting.reset();
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => tokens.getAccessToken(seeded.instanceId)),
    );
    expect(new Set(results.map((token) => token.accessToken))).toEqual(new Set([seeded.accessToken]));
    expect(h.counting.calls.filter((call) => call === 'credentials.getCredential')).toHaveLength(1);
  });
});
