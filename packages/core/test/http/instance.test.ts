import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, createHarness, errorOf, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const SQLISH = [
  "1' OR '1'='1",
  "x'; DROP TABLE mcp_api_keys;--",
  'api',
  '00000000-0000-0000-0000-00000000000g',
];

function get(path: string, key?: string): Promise<Response> {
  return h.handler.handle(
    new Request(`${BASE}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } }),
  );
}

describe('per-instance API key', () => {
  it('answers 401 UNAUTHORIZED with WWW-Authenticate: Bearer when no key is sent', async () => {
    const instance = await h.seedInstance();
    for (const suffix of ['health', 'status', 'mcp']) {
      const response = await get(`/${instance.instanceId}/${suffix}`);
      expect(await errorOf(response)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers 401 for a malformed Authorization header or a key that matches nothing', async () => {
    const instance = await h.seedInstance();
    for (const authorization of [
      'Basic abc',
      'Bearer',
      'Bearer a b',
      'Bearer not-our-format',
      `Bearer mcpk_${'A'.repeat(43)}`,
    ]) {
      const response = await h.handler.handle(
        new Request(`${BASE}/${instance.instanceId}/status`, { headers: { authorization } }),
      );
      expect(await errorOf(response)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it("answers another instance's key with exactly the same 404 as an unknown instance", async () => {
    const mine = await h.seedInstance();
    const other = await h.seedInstance();
    const key = await h.createKey(mine.instanceId);
    const foreign = await get(`/${other.instanceId}/status`, key);
    const unknown = await get(`/${crypto.randomUUID()}/status`, key);
    const foreignBody = await foreign.text();
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreignBody).toBe(await unknown.text());
    expect(JSON.parse(foreignBody)).toEqual({
      error: { code: 'INSTANCE_NOT_FOUND', message: 'Instance not found.' },
    });
    expect(foreign.headers.get('www-authenticate')).toBeNull();
  });

  it.each(SQLISH)('answers 404 for the non-UUID id %j without reaching the store', async (raw) => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    const store = {
      ...h.store,
      apiKeys: {
        ...h.store.apiKeys,
        findApiKeyByHash: async () => {
          throw new Error('must not be called');
        },
      },
    };
    const handler = h.make({ store });
    for (const suffix of ['health', 'status', 'mcp']) {
      const response = await handler.handle(
        new Request(`${BASE}/${encodeURIComponent(raw)}/${suffix}`, {
          method: suffix === 'mcp' ? 'POST' : 'GET',
          headers: { authorization: `Bearer ${key}` },
        }),
      );
      expect(await errorOf(response)).toMatchObject({ status: 404, code: 'INSTANCE_NOT_FOUND' });
    }
  });

  it('stops working once the key is deleted, and once the instance is deleted', async () => {
    const instance = await h.seedInstance();
    const response = await h.admin('POST', `/api/v1/instances/${instance.instanceId}/api-keys`, {});
    const { keyId, apiKey } = (await response.json()) as { keyId: string; apiKey: string };
    const spare = await h.createKey(instance.instanceId);
    expect((await get(`/${instance.instanceId}/health`, apiKey)).status).toBe(200);
    await h.admin('DELETE', `/api/v1/instances/${instance.instanceId}/api-keys/${keyId}`);
    expect((await get(`/${instance.instanceId}/health`, apiKey)).status).toBe(401);
    expect((await get(`/${instance.instanceId}/health`, spare)).status).toBe(200);
    await h.admin('DELETE', `/api/v1/instances/${instance.instanceId}`);
    expect((await get(`/${instance.instanceId}/health`, spare)).status).toBe(401);
  });

  it('records last use of the key at most once a minute, without delaying the request', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    const touches: Promise<void>[] = [];
    const store = {
      ...h.store,
      apiKeys: {
        ...h.store.apiKeys,
        touchApiKey: (keyId: string, at: Date) => {
          const touch = h.store.apiKeys.touchApiKey(keyId, at);
          touches.push(touch);
          return touch;
        },
      },
    };
    const handler = h.make({ store });
    const request = () =>
      handler.handle(
        new Request(`${BASE}/${instance.instanceId}/health`, { headers: { authorization: `Bearer ${key}` } }),
      );
    expect((await request()).status).toBe(200);
    expect(touches).toHaveLength(1);
    await Promise.all(touches);
    const [stored] = await h.store.apiKeys.listApiKeys(instance.instanceId);
    expect(stored?.lastUsedAt).toEqual(new Date(h.clock.now));
    h.clock.now += 59_000;
    await request();
    expect(touches).toHaveLength(1);
    h.clock.now += 1_000;
    await request();
    expect(touches).toHaveLength(2);
    await Promise.all(touches);
  });

  it('logs but ignores a failing last-use update', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    let failed: Promise<void> | undefined;
    const store = {
      ...h.store,
      apiKeys: {
        ...h.store.apiKeys,
        touchApiKey: () => {
          failed = Promise.reject(new Error('write failed'));
          return failed;
        },
      },
    };
    const response = await h
      .make({ store })
      .handle(
        new Request(`${BASE}/${instance.instanceId}/health`, { headers: { authorization: `Bearer ${key}` } }),
      );
    expect(response.status).toBe(200);
    await failed?.catch(() => undefined);
    await Promise.resolve();
    expect(h.logs.some((entry) => entry.message === 'could not record API key use')).toBe(true);
  });
});

describe('GET /:instanceId/health and /status', () => {
  it('reports health', async () => {
    const active = await h.seedInstance();
    const reauth = await h.seedInstance({ status: 'needs_reauth' });
    const a = await get(`/${active.instanceId}/health`, await h.createKey(active.instanceId));
    expect(await a.json()).toEqual({ instanceId: active.instanceId, status: 'active', healthy: true });
    const b = await get(`/${reauth.instanceId}/health`, await h.createKey(reauth.instanceId));
    expect(await b.json()).toEqual({ instanceId: reauth.instanceId, status: 'needs_reauth', healthy: false });
  });

  it('reports status from the credential without any secret', async () => {
    const instance = await h.seedInstance({ grantedScopes: ['read:user'] });
    const response = await get(`/${instance.instanceId}/status`, await h.createKey(instance.instanceId));
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      instanceId: instance.instanceId,
      serviceName: 'fakehub',
      status: 'active',
      upstreamLogin: 'octocat',
      scopes: ['read:user'],
      expiresAt: new Date(h.clock.now + 3_600_000).toISOString(),
      lastRefreshAt: null,
      refreshAttempts: 0,
      lastRefreshError: null,
    });
    expect(text).not.toContain('ciphertext');
    expect(text).not.toContain('kid');
  });
});
