import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InstanceError, StoreError } from '../../src/errors/index.js';
import type { Store } from '../../src/store/ports.js';
import { at, createTokenHarness, rejectionOf, type TokenHarness } from './support/harness.js';

describe('token manager: terminal failures, re-read before needs_reauth, 401 reports', () => {
  let h: TokenHarness;
  beforeAll(async () => {
    h = await createTokenHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.upstream.beforeGrant = undefined;
  });

  async function auditEvents(instanceId: string): Promise<string[]> {
    return (await h.store.audit.listAudit({ instanceId, limit: 20 })).map((event) => event.event).reverse();
  }

  it('invalid_grant: needs_reauth after a re-read, cache purged, audited, no breaker trip, no later upstream call', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const { tokens, cache } = h.manager({ breaker: { consecutiveFailures: 1 } });
    const events = h.record(tokens);
    await tokens.getAccessToken(seeded.instanceId);
    expect(cache.entries.size).toBe(1);
    h.upstream.revoke(seeded.refreshToken ?? '');
    at(h, seeded.expiresAt ?? 0, 1);
    const calls = h.upstream.refreshCalls;
    h.counting.reset();

    const errors = await Promise.all(
      Array.from({ length: 100 }, () => rejectionOf(tokens.getAccessToken(seeded.instanceId))),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(InstanceError);
      expect(error).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
    }
    expect((errors[0] as Error).cause).toMatchObject({
      code: 'REFRESH_TERMINAL',
      providerError: 'invalid_grant',
    });
    expect(h.upstream.refreshCalls - calls).toBe(1);
    // The failed attempt is recorded, then the row re-read, and only then the instance marked.
    const calls$ = h.counting.calls;
    const recorded = calls$.lastIndexOf('credentials.saveCredential');
    const marked = calls$.indexOf('instances.updateInstance');
    expect(recorded).toBeGreaterThan(-1);
    expect(calls$.slice(recorded, marked)).toContain('credentials.getCredential');
    expect(await h.store.instances.getInstance(seeded.instanceId)).toMatchObject({ status: 'needs_reauth' });
    expect(cache.entries.size).toBe(0);
    expect(cache.invalidations).toContain(`testhub/${seeded.instanceId}`);
    expect(await auditEvents(seeded.instanceId)).toEqual(['token.refresh_failed', 'token.needs_reauth']);
    expect(events.filter((e) => ['refresh_failed', 'needs_reauth'].includes(e.name))).toEqual([
      {
        name: 'refresh_failed',
        event: expect.objectContaining({ code: 'REFRESH_TERMINAL', terminal: true, attempts: 1 }),
      },
      {
        name: 'needs_reauth',
        event: {
          instanceId: seeded.instanceId,
          serviceName: 'testhub',
          reason: 'the provider rejected the refresh (invalid_grant)',
        },
      },
    ]);
    expect(events.some((e) => e.name === 'breaker_open')).toBe(false);
    expect((await tokens.status(seeded.instanceId)).breakers.provider.state).toBe('closed');

    // Later calls answer with a re-authorization error and never reach the provider.
    const later = await rejectionOf(tokens.getAccessToken(seeded.instanceId));
    expect(later).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
    expect((later as Error).message).toMatch(/must be reconnected/);
    await expect(tokens.forceRefresh(seeded.instanceId)).rejects.toMatchObject({
      code: 'INSTANCE_NEEDS_REAUTH',
    });
    expect(h.upstream.refreshCalls - calls).toBe(1);
  });

  it('a rejected refresh while another replica saved newer tokens: those are used, no needs_reauth', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    const other = h.manager();
    // A replica without our lock (e.g. lock timed out) redeems the same refresh token first and saves.
    h.upstream.beforeGrant = async () => {
      await other.tokens.forceRefresh(seeded.instanceId);
    };
    const noLock = {
      withLock: async <T>(_k: string, _o: unknown, fn: () => Promise<T>) => ({
        acquired: true as const,
        value: await fn(),
      }),
    };
    const { tokens } = h.manager({ locks: noLock });
    const events = h.record(tokens);
    at(h, seeded.expiresAt ?? 0, 1);
    const token = await tokens.getAccessToken(seeded.instanceId);
    const stored = await h.credential(seeded.instanceId);
    expect(token.expiresAt?.getTime()).toBe(stored.expiresAt?.getTime());
    expect(token.accessToken).not.toBe(seeded.accessToken);
    expect(await h.store.instances.getInstance(seeded.instanceId)).toMatchObject({ status: 'active' });
    expect(events.map((e) => e.name)).toEqual(['refresh_failed']);
    expect(tokens.stats().refresh).toMatchObject({ terminalFailures: 1, reused: 1, needsReauth: 0 });
  });

  it('a replica killed after the provider answered (save never landed): the error surfaces; the next reader marks needs_reauth only after its re-read', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    let crash = true;
    const crashing: Store = {
      ...h.store,
      credentials: {
        ...h.store.credentials,
        async saveCredential(write, expectedVersion) {
          if (crash && write.refreshAttempts === 0 && expectedVersion !== null) {
            crash = false;
            throw new StoreError('STORE_UNAVAILABLE', 'connection terminated');
          }
          return h.store.credentials.saveCredential(write, expectedVersion);
        },
      },
    };
    const dying = h.manager({ flow: h.createFlow({ store: crashing }) });
    at(h, seeded.expiresAt ?? 0, 1);
    const lost = await rejectionOf(dying.tokens.getAccessToken(seeded.instanceId));
    expect(lost).toBeInstanceOf(StoreError);
    expect(h.logs.some((line) => line.message === 'token refresh failed' && line.level === 'error')).toBe(
      true,
    );
    expect(await h.credential(seeded.instanceId)).toMatchObject({ version: 1 });

    const survivor = h.manager();
    const error = await rejectionOf(survivor.tokens.getAccessToken(seeded.instanceId));
    expect(error).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
    // The dead refresh token was presented twice (the provider rotated it for the lost save), nothing more.
    expect(h.upstream.presented.filter((token) => token === seeded.refreshToken)).toHaveLength(2);
    expect(await h.store.instances.getInstance(seeded.instanceId)).toMatchObject({ status: 'needs_reauth' });
  });

  it('a replica killed after its save landed: the next reader uses the saved tokens without an upstream call', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    at(h, seeded.expiresAt ?? 0, 1);
    await h.flow.refreshTokens(seeded.instanceId);
    const calls = h.upstream.refreshCalls;
    const { tokens } = h.manager();
    const token = await tokens.getAccessToken(seeded.instanceId);
    expect(h.upstream.refreshCalls).toBe(calls);
    expect(token.accessToken).not.toBe(seeded.accessToken);
  });

  it('reportUnauthorized: an older token → replaced; the current refreshable one → refreshed', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const { tokens } = h.manager();
    const current = await tokens.getAccessToken(seeded.instanceId);
    const calls = h.upstream.refreshCalls;
    expect(await tokens.reportUnauthorized(seeded.instanceId, { accessToken: current.accessToken })).toBe(
      'refreshed',
    );
    expect(h.upstream.refreshCalls - calls).toBe(1);
    expect(await tokens.reportUnauthorized(seeded.instanceId, { accessToken: current.accessToken })).toBe(
      'replaced',
    );
    expect(h.upstream.refreshCalls - calls).toBe(1);
    const next = await tokens.getAccessToken(seeded.instanceId);
    expect(next.accessToken).not.toBe(current.accessToken);
  });

  it('reportUnauthorized on a token that never expires: one re-read, then needs_reauth; concurrent reports share it', async () => {
    const seeded = await h.seed({ expiresInMs: null });
    const { tokens, cache } = h.manager();
    const events = h.record(tokens);
    await tokens.getAccessToken(seeded.instanceId);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        tokens.reportUnauthorized(seeded.instanceId, { accessToken: seeded.accessToken }),
      ),
    );
    expect(new Set(outcomes)).toEqual(new Set(['needs_reauth']));
    expect(events.filter((e) => e.name === 'needs_reauth')).toHaveLength(1);
    expect(cache.entries.size).toBe(0);
    await expect(tokens.getAccessToken(seeded.instanceId)).rejects.toMatchObject({
      code: 'INSTANCE_NEEDS_REAUTH',
    });
    expect(await tokens.reportUnauthorized(seeded.instanceId, { accessToken: seeded.accessToken })).toBe(
      'needs_reauth',
    );
    expect(await auditEvents(seeded.instanceId)).toEqual(['token.needs_reauth']);
  });

  it('reportUnauthorized with a revoked refresh token ends in needs_reauth', async () => {
    const seeded = await h.seed({ expiresInMs: 3600_000 });
    const { tokens } = h.manager();
    h.upstream.revoke(seeded.refreshToken ?? '');
    expect(await tokens.reportUnauthorized(seeded.instanceId, { accessToken: seeded.accessToken })).toBe(
      'needs_reauth',
    );
    expect(await h.store.instances.getInstance(seeded.instanceId)).toMatchObject({ status: 'needs_reauth' });
  });

  it('the flow keeps marking needs_reauth itself by default (onTerminal: mark)', async () => {
    const seeded = await h.seed({ expiresInMs: 60_000 });
    h.upstream.revoke(seeded.refreshToken ?? '');
    await expect(h.flow.refreshTokens(seeded.instanceId)).rejects.toMatchObject({ code: 'REFRESH_TERMINAL' });
    expect(await h.store.instances.getInstance(seeded.instanceId)).toMatchObject({ status: 'needs_reauth' });
    expect(await auditEvents(seeded.instanceId)).toEqual(['token.needs_reauth']);

    const other = await h.seed({ expiresInMs: 60_000 });
    h.upstream.revoke(other.refreshToken ?? '');
    await expect(h.flow.refreshTokens(other.instanceId, { onTerminal: 'report' })).rejects.toMatchObject({
      code: 'REFRESH_TERMINAL',
    });
    expect(await h.store.instances.getInstance(other.instanceId)).toMatchObject({ status: 'active' });
    expect(await h.credential(other.instanceId)).toMatchObject({ refreshAttempts: 1 });
    const [event] = await h.store.audit.listAudit({ instanceId: other.instanceId, limit: 1 });
    expect(event).toMatchObject({ event: 'token.refresh_failed', details: { terminal: true } });
  });
});
