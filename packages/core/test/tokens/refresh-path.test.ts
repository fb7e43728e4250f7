import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RefreshError } from '../../src/errors/index.js';
import type { LockStore } from '../../src/store/ports.js';
import { createMemoryLock } from './support/fast-lock.js';
import { at, createTokenHarness, MARGIN, rejectionOf, type TokenHarness } from './support/harness.js';
import { createMemoryCache } from './support/memory-cache.js';

describe('token manager: refresh, single-flight, locks (ARCHITECTURE.md §3 steps 3–5)', () => {
  let h: TokenHarness;
  beforeAll(async () => {
    h = await createTokenHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.rotate = true;
    h.upstream.afterAnswer = undefined;
  });

  const allDistinct = (values: readonly string[]): boolean => new Set(values).size === values.length;

  it('1000 concurrent calls on an expired token: exactly one upstream refresh, all get the new token', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const { tokens, cache } = h.manager();
    const events = h.record(tokens);
    at(h, seeded.expiresAt ?? 0, 1);
    const calls = h.upstream.refreshCalls;

    const results = await Promise.all(
      Array.from({ length: 1000 }, () => tokens.getAccessToken(seeded.instanceId)),
    );
    expect(h.upstream.refreshCalls - calls).toBe(1);
    const served = new Set(results.map((token) => token.accessToken));
    expect(served.size).toBe(1);
    expect(served.has(seeded.accessToken)).toBe(false);
    const stored = await h.credential(seeded.instanceId);
    expect(stored).toMatchObject({ version: 2, refreshAttempts: 0, lastRefreshError: null });
    expect(stored.expiresAt?.getTime()).toBe(h.clock.now() + 3600_000);
    // The new token is in the cache; the old one was invalidated first.
    expect([...cache.entries.values()][0]).toMatchObject({ version: 2 });
    expect(cache.invalidations).toEqual([`testhub/${seeded.instanceId}`]);
    expect(events.filter((e) => e.name === 'refreshed')).toEqual([
      {
        name: 'refreshed',
        event: expect.objectContaining({
          instanceId: seeded.instanceId,
          serviceName: 'testhub',
          rotated: true,
        }),
      },
    ]);
    // Expired already: no "expiring" warning for it.
    expect(events.some((e) => e.name === 'expiring')).toBe(false);
    expect(tokens.stats().refresh).toMatchObject({ upstreamCalls: 1, succeeded: 1, inFlight: 0 });
  });

  it('two replicas (separate caches, one database) with 500 concurrent calls each: one refresh in total', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const a = h.manager();
    const b = h.manager();
    at(h, seeded.expiresAt ?? 0, -MARGIN + 1);
    const calls = h.upstream.refreshCalls;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? a : b).tokens.getAccessToken(seeded.instanceId)),
    );
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect(new Set(results.map((token) => token.accessToken)).size).toBe(1);
    const refreshed = a.tokens.stats().refresh.succeeded + b.tokens.stats().refresh.succeeded;
    const reused = a.tokens.stats().refresh.reused + b.tokens.stats().refresh.reused;
    expect(refreshed).toBe(1);
    expect(reused).toBe(1);
  });

  it('a rotating refresh token is never presented twice over many refresh cycles on two replicas', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const replicas = [h.manager(), h.manager(), h.manager()];
    const before = h.upstream.presented.length;
    let expiresAt = seeded.expiresAt ?? 0;
    for (let cycle = 0; cycle < 5; cycle++) {
      at(h, expiresAt, cycle % 2 === 0 ? 1 : -1000);
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => replicas[i % 3]?.tokens.getAccessToken(seeded.instanceId)),
      );
      expect(new Set(results.map((token) => token?.accessToken)).size).toBe(1);
      expiresAt = (await h.credential(seeded.instanceId)).expiresAt?.getTime() ?? 0;
    }
    const presented = h.upstream.presented.slice(before);
    expect(presented).toHaveLength(5);
    expect(allDistinct(presented)).toBe(true);
    expect((await h.credential(seeded.instanceId)).version).toBe(6);
  });

  it('within the margin: "expiring" is emitted once and callers wait for the refreshed token', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const { tokens } = h.manager();
    const events = h.record(tokens);
    at(h, seeded.expiresAt ?? 0, -60_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => tokens.getAccessToken(seeded.instanceId)),
    );
    expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
    expect(events.filter((e) => e.name === 'expiring')).toEqual([
      {
        name: 'expiring',
        event: {
          instanceId: seeded.instanceId,
          serviceName: 'testhub',
          expiresAt: new Date(seeded.expiresAt ?? 0),
        },
      },
    ]);
  });

  it('the Redis fast lock is taken before the database lock and released; a Redis failure falls back', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const fastLock = createMemoryLock();
    const { tokens } = h.manager({ fastLock });
    at(h, seeded.expiresAt ?? 0, 1);
    await Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken(seeded.instanceId)));
    expect(fastLock.acquired).toEqual([`mcp-oauth:refresh:${seeded.instanceId}`]);
    expect(fastLock.released).toEqual(fastLock.acquired);

    fastLock.failing = true;
    at(h, (await h.credential(seeded.instanceId)).expiresAt?.getTime() ?? 0, 1);
    const calls = h.upstream.refreshCalls;
    await tokens.getAccessToken(seeded.instanceId);
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect(h.logs.some((line) => line.message.includes('fast refresh lock unavailable'))).toBe(true);
  });

  it('when another replica holds the fast lock for the whole wait and has refreshed, its tokens are used', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const other = h.manager();
    const fastLock = createMemoryLock();
    const { tokens } = h.manager({ fastLock });
    at(h, seeded.expiresAt ?? 0, 1);
    const fresh = await other.tokens.getAccessToken(seeded.instanceId);
    fastLock.busy = true;
    const calls = h.upstream.refreshCalls;
    h.counting.reset();
    expect((await tokens.getAccessToken(seeded.instanceId)).accessToken).toBe(fresh.accessToken);
    expect(h.upstream.refreshCalls).toBe(calls);
    expect(h.counting.calls).not.toContain('locks.withLock');
  });

  it('a database lock wait that times out: the current token while valid, else "retry after"', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const neverFree: Pick<LockStore, 'withLock'> = { withLock: async () => ({ acquired: false }) };
    const { tokens } = h.manager({ locks: neverFree, lockWaitMs: 5_000 });
    at(h, seeded.expiresAt ?? 0, -60_000);
    const calls = h.upstream.refreshCalls;
    expect((await tokens.getAccessToken(seeded.instanceId)).accessToken).toBe(seeded.accessToken);
    at(h, seeded.expiresAt ?? 0, 1);
    const error = await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    expect(error).toBeInstanceOf(RefreshError);
    expect((error as Error).message).toBe(
      'Refreshing the TestHub token is temporarily unavailable, retry after 5 s.',
    );
    expect(error).toMatchObject({ code: 'REFRESH_TRANSIENT', retryAfterMs: 5_000 });
    expect(h.upstream.refreshCalls).toBe(calls);
    expect(tokens.stats().refresh.lockTimeouts).toBe(2);
  });

  it('forceRefresh refreshes a fresh token through the same path; concurrent forces share one refresh', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const { tokens, cache } = h.manager();
    await tokens.getAccessToken(seeded.instanceId);
    const calls = h.upstream.refreshCalls;
    const [first, second] = await Promise.all([
      tokens.forceRefresh(seeded.instanceId),
      tokens.forceRefresh(seeded.instanceId),
    ]);
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect(first).toMatchObject({ instanceId: seeded.instanceId, rotated: true, version: 2 });
    expect(second).toEqual(first);
    expect((await tokens.getAccessToken(seeded.instanceId)).accessToken).not.toBe(seeded.accessToken);
    expect([...cache.entries.values()][0]?.version).toBe(2);
  });

  it('forceRefresh when another replica refreshed after our read: its result, no second upstream call', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const a = h.manager();
    // b reads the row (version 1), then a refreshes before b gets the lock.
    const racingLocks: Pick<LockStore, 'withLock'> = {
      async withLock(key, options, fn) {
        await a.tokens.forceRefresh(seeded.instanceId);
        return h.store.locks.withLock(key, options, fn);
      },
    };
    const b = h.manager({ locks: racingLocks });
    const calls = h.upstream.refreshCalls;
    const result = await b.tokens.forceRefresh(seeded.instanceId);
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect(result).toMatchObject({ version: 2, rotated: false });
    expect(b.tokens.stats().refresh).toMatchObject({ upstreamCalls: 0, reused: 1 });
  });

  it('forceRefresh on a token that never expires: REFRESH_NOT_SUPPORTED, no upstream call', async () => {
    const seeded = await h.seed({ expiresInMs: null });
    const { tokens } = h.manager();
    const calls = h.upstream.refreshCalls;
    await expect(tokens.forceRefresh(seeded.instanceId)).rejects.toMatchObject({
      code: 'REFRESH_NOT_SUPPORTED',
    });
    expect(h.upstream.refreshCalls).toBe(calls);
  });

  it('keeps the old refresh token when the provider returns none (non-rotating)', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const before = await h.credential(seeded.instanceId);
    h.upstream.rotate = false;
    const { tokens } = h.manager();
    at(h, seeded.expiresAt ?? 0, 1);
    await tokens.getAccessToken(seeded.instanceId);
    const after = await h.credential(seeded.instanceId);
    expect(after.refreshTokenCiphertext).toBe(before.refreshTokenCiphertext);
    expect(after.accessTokenCiphertext).not.toBe(before.accessTokenCiphertext);
  });

  it('other replicas receive the invalidation of a refreshed token', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const peerCache = createMemoryCache();
    const peer = h.manager({ cache: peerCache });
    await peer.tokens.getAccessToken(seeded.instanceId);
    expect(peerCache.entries.size).toBe(1);
    const cache = createMemoryCache([peerCache]);
    const { tokens } = h.manager({ cache });
    await tokens.forceRefresh(seeded.instanceId);
    expect(peerCache.entries.size).toBe(0);
    const token = await peer.tokens.getAccessToken(seeded.instanceId);
    expect(token.accessToken).not.toBe(seeded.accessToken);
  });
});
