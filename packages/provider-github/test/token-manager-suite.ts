import { type FetchLike, InstanceError, RefreshError, type Store, StoreError } from '@org/mcp-oauth-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenHarness } from './token-harness.js';

const MARGIN = 300_000;

/**
 * The token manager against the fake GitHub in GitHub App mode (8-hour tokens, single-use rotating refresh
 * tokens), run on PGlite and, when `DATABASE_URL` is set, on PostgreSQL with one pool per replica.
 */
export function tokenManagerSuite(name: string, start: () => Promise<TokenHarness>): void {
  describe(`token manager against the fake GitHub (${name})`, () => {
    let h: TokenHarness;
    beforeAll(async () => {
      h = await start();
    });
    afterAll(async () => {
      await h?.close();
    });

    const expire = (expiresAt: number, offset = 1) => h.clock.advance(expiresAt + offset - h.clock.now());
    const tokenCalls = () => h.fake.state.calls.token;
    const allDistinct = (values: readonly string[]) => new Set(values).size === values.length;

    it('refresh storm: 1000 concurrent calls on an expired token → exactly 1 upstream refresh, all get the new token', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const replica = await h.replica();
      expire(expiresAt);
      const refreshCalls = h.fake.state.refreshCalls;
      const results = await Promise.all(
        Array.from({ length: 1000 }, () => replica.tokens.getAccessToken(instanceId)),
      );
      expect(h.fake.state.refreshCalls - refreshCalls).toBe(1);
      const served = new Set(results.map((token) => token.accessToken));
      expect(served.size).toBe(1);
      const [token] = served;
      expect(h.fake.isTokenLive(token ?? '')).toBe(true);
      expect(token).toMatch(/^ghu_/);
    });

    it('two replicas, 500 concurrent calls each → exactly 1 refresh in total, no call fails', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const a = await h.replica();
      const b = await h.replica();
      expire(expiresAt);
      const refreshCalls = h.fake.state.refreshCalls;
      const results = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? a : b).tokens.getAccessToken(instanceId)),
      );
      expect(h.fake.state.refreshCalls - refreshCalls).toBe(1);
      expect(new Set(results.map((token) => token.accessToken)).size).toBe(1);
      expect(a.tokens.stats().refresh.upstreamCalls + b.tokens.stats().refresh.upstreamCalls).toBe(1);
      expect(a.tokens.stats().refresh.reused + b.tokens.stats().refresh.reused).toBe(1);
    });

    it('a rotating refresh token is never presented twice across replicas and refresh cycles', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const replicas = [await h.replica(), await h.replica(), await h.replica()];
      const before = h.presentedRefreshTokens().length;
      let next = expiresAt;
      for (let cycle = 0; cycle < 4; cycle++) {
        expire(next, cycle % 2 === 0 ? 1 : -MARGIN + 1);
        const results = await Promise.all(
          Array.from({ length: 90 }, (_, i) => replicas[i % 3]?.tokens.getAccessToken(instanceId)),
        );
        expect(new Set(results.map((token) => token?.accessToken)).size).toBe(1);
        next = (await h.store.credentials.getCredential(instanceId))?.expiresAt?.getTime() ?? 0;
      }
      const presented = h.presentedRefreshTokens().slice(before);
      expect(presented).toHaveLength(4);
      expect(allDistinct(presented)).toBe(true);
      for (const token of presented) expect(h.fake.state.refreshTokens.get(token)?.used).toBe(true);
      expect(h.fake.state.refreshTokens.get(await h.storedRefreshToken(instanceId))?.used).toBe(false);
    });

    it('killed right after GitHub answered (save never landed): the error surfaces, the next reader marks needs_reauth only after a re-read', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const oldRefresh = await h.storedRefreshToken(instanceId);
      let crash = true;
      const dying = await h.replica({
        wrapStore: (store): Store => ({
          ...store,
          credentials: {
            ...store.credentials,
            async saveCredential(write, expectedVersion) {
              if (crash && write.refreshAttempts === 0 && expectedVersion !== null) {
                crash = false;
                throw new StoreError('STORE_UNAVAILABLE', 'connection terminated');
              }
              return store.credentials.saveCredential(write, expectedVersion);
            },
          },
        }),
      });
      const survivor = await h.replica();
      expire(expiresAt);
      await expect(dying.tokens.getAccessToken(instanceId)).rejects.toBeInstanceOf(StoreError);
      expect(h.fake.state.refreshTokens.get(oldRefresh)?.used).toBe(true);

      const error = await survivor.tokens.getAccessToken(instanceId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InstanceError);
      expect(error).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
      expect((error as Error).cause).toMatchObject({ providerError: 'bad_refresh_token' });
      expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'needs_reauth' });
      const audit = (await h.store.audit.listAudit({ instanceId, limit: 5 })).map((event) => event.event);
      expect(audit.slice(0, 2)).toEqual(['token.needs_reauth', 'token.refresh_failed']);
      expect(survivor.events.map((event) => event.name)).toEqual(['refresh_failed', 'needs_reauth']);
    });

    it('a rejected refresh while another replica saved newer tokens recovers from the database', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const other = await h.replica();
      let race = true;
      // Another replica (which bypassed the lock) redeems the same refresh token first and saves.
      const racingFetch: FetchLike = async (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (race && url.startsWith(h.fake.oauthUrl)) {
          race = false;
          await other.flow.refreshTokens(instanceId);
        }
        return fetch(input, init);
      };
      const replica = await h.replica({ flow: { fetch: racingFetch } });
      expire(expiresAt);
      const token = await replica.tokens.getAccessToken(instanceId);
      expect(h.fake.isTokenLive(token.accessToken)).toBe(true);
      expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });
      expect(replica.events.map((event) => event.name)).toEqual(['refresh_failed']);
    });

    it('5xx storm: breaker opens after 5, no upstream call while open, "retry after N s", half-open probe closes it', async () => {
      const instances = [];
      for (let i = 0; i < 6; i++) instances.push(await h.connect());
      const replica = await h.replica();
      expire(instances[0]?.expiresAt ?? 0);
      h.fake.injectFault('token', { kind: 'status', status: 502 }, 5);
      for (const { instanceId } of instances.slice(0, 5)) {
        await expect(replica.tokens.getAccessToken(instanceId)).rejects.toMatchObject({
          code: 'REFRESH_TRANSIENT',
        });
      }
      expect(replica.events.filter((e) => e.name === 'breaker_open')).toEqual([
        { name: 'breaker_open', event: { serviceName: 'github', scope: 'provider' } },
      ]);
      const calls = tokenCalls();
      const sixth = instances[5]?.instanceId ?? '';
      const refused = await Promise.all(
        Array.from({ length: 200 }, () => replica.tokens.getAccessToken(sixth).catch((e: unknown) => e)),
      );
      expect(tokenCalls()).toBe(calls);
      expect(refused[0]).toBeInstanceOf(RefreshError);
      expect((refused[0] as Error).message).toBe(
        'Refreshing the GitHub token is temporarily unavailable, retry after 30 s.',
      );
      h.clock.advance(30_000);
      const probed = await replica.tokens.getAccessToken(sixth);
      expect(h.fake.isTokenLive(probed.accessToken)).toBe(true);
      expect(tokenCalls()).toBe(calls + 1);
      expect(replica.events.filter((e) => e.name.startsWith('breaker')).map((e) => e.name)).toEqual([
        'breaker_open',
        'breaker_closed',
      ]);
    });

    it('429 with Retry-After: the current token is served and GitHub is not called again before it elapses', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const replica = await h.replica();
      const current = await replica.tokens.getAccessToken(instanceId);
      expire(expiresAt, -MARGIN + 1);
      h.fake.injectFault('token', { kind: 'rate_limit', retryAfterSeconds: 60 });
      const calls = tokenCalls();
      expect((await replica.tokens.getAccessToken(instanceId)).accessToken).toBe(current.accessToken);
      expect(tokenCalls()).toBe(calls + 1);
      h.clock.advance(59_999);
      expect((await replica.tokens.getAccessToken(instanceId)).accessToken).toBe(current.accessToken);
      expect(tokenCalls()).toBe(calls + 1);
      h.clock.advance(1);
      const fresh = await replica.tokens.getAccessToken(instanceId);
      expect(fresh.accessToken).not.toBe(current.accessToken);
      expect(tokenCalls()).toBe(calls + 2);
    });

    it('a hanging token endpoint times out as transient; callers keep the still-valid token', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const replica = await h.replica({ flow: { upstreamTimeoutMs: 100 } });
      const current = await replica.tokens.getAccessToken(instanceId);
      expire(expiresAt, -60_000);
      h.fake.injectFault('token', { kind: 'hang' });
      const served = await Promise.all(
        Array.from({ length: 50 }, () => replica.tokens.getAccessToken(instanceId)),
      );
      expect(new Set(served.map((token) => token.accessToken))).toEqual(new Set([current.accessToken]));
      expect((await h.store.credentials.getCredential(instanceId))?.refreshAttempts).toBe(1);
    });

    it('bad_refresh_token → needs_reauth, cache purged on every replica, later calls make no upstream call', async () => {
      const { instanceId, expiresAt } = await h.connect();
      const a = await h.replica();
      const b = await h.replica();
      const { accessToken } = await a.tokens.getAccessToken(instanceId);
      await b.tokens.getAccessToken(instanceId);
      expect(b.cache.entries.size).toBeGreaterThan(0);
      h.fake.revokeToken(accessToken);
      expire(expiresAt);
      const error = await a.tokens.getAccessToken(instanceId).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INSTANCE_NEEDS_REAUTH' });
      expect((error as Error).message).toBe(
        'This account must be reconnected: the provider rejected the refresh.',
      );
      expect([...a.cache.entries.keys(), ...b.cache.entries.keys()]).not.toContain(`github/${instanceId}`);
      const calls = tokenCalls();
      for (const replica of [a, b]) {
        await expect(replica.tokens.getAccessToken(instanceId)).rejects.toMatchObject({
          code: 'INSTANCE_NEEDS_REAUTH',
        });
      }
      expect(tokenCalls()).toBe(calls);
      expect(a.events.find((e) => e.name === 'needs_reauth')?.event).toEqual({
        instanceId,
        serviceName: 'github',
        reason: 'the provider rejected the refresh (bad_refresh_token)',
      });
      expect((await a.tokens.status(instanceId)).breakers.provider.state).toBe('closed');
    });

    it('cache hit path: zero database queries and zero GitHub calls', async () => {
      const { instanceId } = await h.connect();
      let queries = 0;
      const replica = await h.replica({
        wrapStore: (store) =>
          new Proxy(store, {
            get(target, port, receiver) {
              const value = Reflect.get(target, port, receiver);
              if (typeof value !== 'object' || value === null) return value;
              return new Proxy(value, {
                get(object, method, r) {
                  const fn = Reflect.get(object, method, r);
                  return typeof fn === 'function'
                    ? (...args: unknown[]) => {
                        queries++;
                        return fn.apply(object, args);
                      }
                    : fn;
                },
              });
            },
          }),
      });
      const first = await replica.tokens.getAccessToken(instanceId);
      queries = 0;
      const requests = h.fake.state.requests.length;
      for (let i = 0; i < 200; i++) {
        expect((await replica.tokens.getAccessToken(instanceId)).accessToken).toBe(first.accessToken);
      }
      expect(queries).toBe(0);
      expect(h.fake.state.requests.length).toBe(requests);
      expect(replica.tokens.stats().cache.hits).toBe(200);
    });
  });
}
