import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefreshError } from '../../src/errors/index.js';
import { at, createTokenHarness, rejectionOf, type Seeded, type TokenHarness } from './support/harness.js';

describe('token manager: transient failures, backoff, Retry-After, breakers (ARCHITECTURE.md §3 step 4)', () => {
  let h: TokenHarness;
  beforeAll(async () => {
    h = await createTokenHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function seedMany(count: number, expiresInMs: number): Promise<Seeded[]> {
    const out: Seeded[] = [];
    for (let i = 0; i < count; i++) out.push(await h.seed({ expiresInMs }));
    return out;
  }

  it('a 5xx inside the margin: the current token is served, the attempt is persisted, backoff holds further calls', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const { tokens } = h.manager();
    const events = h.record(tokens);
    at(h, seeded.expiresAt ?? 0, -60_000);
    h.upstream.inject({ kind: 'status', status: 503 });
    const calls = h.upstream.refreshCalls;

    const served = await Promise.all(
      Array.from({ length: 100 }, () => tokens.getAccessToken(seeded.instanceId)),
    );
    expect(new Set(served.map((t) => t.accessToken))).toEqual(new Set([seeded.accessToken]));
    expect(h.upstream.refreshCalls - calls).toBe(1);
    const stored = await h.credential(seeded.instanceId);
    expect(stored.refreshAttempts).toBe(1);
    expect(stored.lastRefreshError).toMatch(/^REFRESH_TRANSIENT: /);
    expect(events.find((e) => e.name === 'refresh_failed')?.event).toMatchObject({
      code: 'REFRESH_TRANSIENT',
      terminal: false,
      attempts: 1,
    });

    // Equal jitter with random() = 0.5: 1 000 ms × 0.75 = 750 ms before the next upstream call.
    h.clock.advance(749);
    await tokens.getAccessToken(seeded.instanceId);
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect(tokens.stats().refresh.throttled).toBe(1);
    h.clock.advance(1);
    const fresh = await tokens.getAccessToken(seeded.instanceId);
    expect(fresh.accessToken).not.toBe(seeded.accessToken);
    expect(h.upstream.refreshCalls - calls).toBe(2);
    expect(await h.credential(seeded.instanceId)).toMatchObject({
      refreshAttempts: 0,
      lastRefreshError: null,
    });
  });

  it('another replica honours the persisted backoff (half the exponential delay) without sharing memory', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    at(h, seeded.expiresAt ?? 0, -60_000);
    h.upstream.inject({ kind: 'status', status: 502 });
    await h.manager().tokens.getAccessToken(seeded.instanceId);
    const other = h.manager();
    const calls = h.upstream.refreshCalls;
    h.clock.advance(499);
    await other.tokens.getAccessToken(seeded.instanceId);
    expect(h.upstream.refreshCalls).toBe(calls);
    expect((await other.tokens.status(seeded.instanceId)).nextAttemptInMs).toBe(1);
    h.clock.advance(1);
    await other.tokens.getAccessToken(seeded.instanceId);
    expect(h.upstream.refreshCalls).toBe(calls + 1);
  });

  it('an expired token and a failing provider: "temporarily unavailable, retry after N s"', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const { tokens } = h.manager();
    at(h, seeded.expiresAt ?? 0, 1);
    h.upstream.inject({ kind: 'status', status: 500 });
    const error = await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    expect(error).toBeInstanceOf(RefreshError);
    expect(error).toMatchObject({ code: 'REFRESH_TRANSIENT', status: 500, retryAfterMs: 1000 });
    expect((error as Error).message).toBe(
      'Refreshing the TestHub token is temporarily unavailable, retry after 1 s.',
    );
    expect(await h.store.instances.getInstance(seeded.instanceId)).toMatchObject({ status: 'active' });
  });

  it('a hanging provider times out as a transient failure; waiting callers get the still-valid token', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const flow = h.createFlow({ upstreamTimeoutMs: 50 });
    const { tokens } = h.manager({ flow });
    at(h, seeded.expiresAt ?? 0, -60_000);
    h.upstream.inject({ kind: 'hang' });
    const calls = h.upstream.refreshCalls;
    const pending = Promise.all(Array.from({ length: 50 }, () => tokens.getAccessToken(seeded.instanceId)));
    await h.upstream.hanging();
    const served = await pending;
    expect(new Set(served.map((t) => t.accessToken))).toEqual(new Set([seeded.accessToken]));
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect((await h.credential(seeded.instanceId)).lastRefreshError).toMatch(
      /could not be reached or timed out/,
    );
  });

  it('429 with Retry-After (seconds): no upstream call for that client before it elapses', async () => {
    const [first, second] = await seedMany(2, 3600_000);
    if (!first || !second) throw new Error('seed');
    const { tokens } = h.manager();
    at(h, first.expiresAt ?? 0, -200_000);
    h.upstream.inject({ kind: 'rate_limit', retryAfter: '120' });
    const calls = h.upstream.refreshCalls;
    expect((await tokens.getAccessToken(first.instanceId)).accessToken).toBe(first.accessToken);
    expect(h.upstream.refreshCalls - calls).toBe(1);

    h.clock.advance(119_999);
    // Both the limited instance and another instance of the same OAuth client wait.
    await tokens.getAccessToken(first.instanceId);
    await tokens.getAccessToken(second.instanceId);
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect((await tokens.status(first.instanceId)).nextAttemptInMs).toBe(1);

    h.clock.advance(1);
    expect((await tokens.getAccessToken(first.instanceId)).accessToken).not.toBe(first.accessToken);
    expect((await tokens.getAccessToken(second.instanceId)).accessToken).not.toBe(second.accessToken);
    expect(h.upstream.refreshCalls - calls).toBe(3);
  });

  it('429 with an HTTP-date Retry-After, read against the injected clock', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const { tokens } = h.manager();
    at(h, seeded.expiresAt ?? 0, 1);
    h.upstream.inject({ kind: 'rate_limit', retryAfter: new Date(h.clock.now() + 90_000).toUTCString() });
    const error = await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    // The HTTP date has whole seconds: between 89 and 90 s remain.
    expect((error as RefreshError).retryAfterMs).toBeGreaterThanOrEqual(89_000);
    expect((error as RefreshError).retryAfterMs).toBeLessThanOrEqual(90_000);
    const calls = h.upstream.refreshCalls;
    h.clock.advance(88_000);
    await expect(tokens.getAccessToken(seeded.instanceId)).rejects.toMatchObject({
      code: 'REFRESH_TRANSIENT',
    });
    expect(h.upstream.refreshCalls).toBe(calls);
  });

  it('5xx storm: the provider breaker opens after 5 failures, no upstream call while open, a probe closes it', async () => {
    const instances = await seedMany(7, 60_000);
    const { tokens } = h.manager();
    const events = h.record(tokens);
    at(h, instances[0]?.expiresAt ?? 0, 1);
    h.upstream.inject({ kind: 'status', status: 502 }, 5);
    const calls = h.upstream.refreshCalls;
    for (const seeded of instances.slice(0, 5)) {
      await expect(tokens.getAccessToken(seeded.instanceId)).rejects.toMatchObject({
        code: 'REFRESH_TRANSIENT',
      });
    }
    expect(h.upstream.refreshCalls - calls).toBe(5);
    expect(events.filter((e) => e.name === 'breaker_open')).toEqual([
      { name: 'breaker_open', event: { serviceName: 'testhub', scope: 'provider' } },
    ]);

    const sixth = instances[5]?.instanceId ?? '';
    const refused = await Promise.all(
      Array.from({ length: 100 }, () => rejectionOf(tokens.getAccessToken(sixth))),
    );
    expect(h.upstream.refreshCalls - calls).toBe(5);
    expect((refused[0] as Error).message).toBe(
      'Refreshing the TestHub token is temporarily unavailable, retry after 30 s.',
    );
    expect(refused[0]).toMatchObject({ code: 'REFRESH_TRANSIENT', retryAfterMs: 30_000 });
    expect((await tokens.status(sixth)).breakers.provider).toEqual({ state: 'open', retryAfterMs: 30_000 });
    h.clock.advance(29_999);
    await expect(tokens.getAccessToken(sixth)).rejects.toMatchObject({ retryAfterMs: 1000 });
    expect(h.upstream.refreshCalls - calls).toBe(5);

    // Half-open after 30 s of the injected clock: one probe goes through and closes the breaker.
    h.clock.advance(1);
    const probed = await tokens.getAccessToken(sixth);
    expect(probed.accessToken).not.toBe(instances[5]?.accessToken);
    expect(h.upstream.refreshCalls - calls).toBe(6);
    expect(events.filter((e) => e.name.startsWith('breaker_')).map((e) => e.name)).toEqual([
      'breaker_open',
      'breaker_closed',
    ]);
    expect(tokens.stats().breakers.providers).toEqual({ testhub: 'closed' });
    await tokens.getAccessToken(instances[6]?.instanceId ?? '');
    expect(h.upstream.refreshCalls - calls).toBe(7);
  });

  it('a failed half-open probe re-opens the breaker for another period', async () => {
    const instances = await seedMany(6, 60_000);
    const { tokens } = h.manager({ breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 } });
    const events = h.record(tokens);
    at(h, instances[0]?.expiresAt ?? 0, 1);
    h.upstream.inject({ kind: 'status', status: 503 }, 3);
    for (const seeded of instances.slice(0, 2)) await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    h.clock.advance(10_000);
    await rejectionOf(tokens.getAccessToken(instances[2]?.instanceId ?? ''));
    const calls = h.upstream.refreshCalls;
    await expect(tokens.getAccessToken(instances[3]?.instanceId ?? '')).rejects.toMatchObject({
      retryAfterMs: 10_000,
    });
    expect(h.upstream.refreshCalls).toBe(calls);
    expect(events.filter((e) => e.name === 'breaker_open')).toHaveLength(2);
  });

  it('the instance breaker opens after repeated failures of one account and closes after it recovers', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const { tokens } = h.manager({ instanceBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
    const events = h.record(tokens);
    at(h, seeded.expiresAt ?? 0, 1);
    h.upstream.inject({ kind: 'status', status: 500 }, 2);
    await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    h.clock.advance(10_000);
    await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    expect(events.filter((e) => e.name === 'breaker_open')).toEqual([
      {
        name: 'breaker_open',
        event: { serviceName: 'testhub', scope: 'instance', instanceId: seeded.instanceId },
      },
    ]);
    const status = await tokens.status(seeded.instanceId);
    expect(status.breakers).toEqual({
      provider: { state: 'closed', retryAfterMs: 0 },
      instance: { state: 'open', retryAfterMs: 60_000 },
    });
    expect(status).toMatchObject({ refreshAttempts: 2, hasRefreshToken: true, refreshing: false });
    expect(tokens.stats().breakers.openInstances).toBe(1);
    const calls = h.upstream.refreshCalls;
    h.clock.advance(59_999);
    await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    expect(h.upstream.refreshCalls).toBe(calls);
    h.clock.advance(1);
    await tokens.getAccessToken(seeded.instanceId);
    expect(h.upstream.refreshCalls).toBe(calls + 1);
    expect(events.filter((e) => e.name === 'breaker_closed')).toEqual([
      {
        name: 'breaker_closed',
        event: { serviceName: 'testhub', scope: 'instance', instanceId: seeded.instanceId },
      },
    ]);
    expect(tokens.stats().breakers.openInstances).toBe(0);
  });

  it('status() and stats() carry no secret', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const { tokens } = h.manager();
    at(h, seeded.expiresAt ?? 0, 1);
    h.upstream.inject({ kind: 'status', status: 500 });
    await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    const text = JSON.stringify([await tokens.status(seeded.instanceId), tokens.stats(), h.logs]);
    for (const secret of [seeded.accessToken, seeded.refreshToken ?? '', 'test-client-secret']) {
      expect(text).not.toContain(secret);
    }
  });
});
