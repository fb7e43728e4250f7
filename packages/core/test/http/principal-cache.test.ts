import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../src/errors/index.js';
import type { HttpHandler } from '../../src/http/create-handler.js';
import { createPrincipalCache } from '../../src/http/principal-cache.js';
import type { InstanceRecord, Store } from '../../src/store/ports.js';
import { ADMIN_TOKEN, BASE, createHarness, errorOf, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** The harness store, counting the reads the principal cache is meant to save and the `last_used` writes. */
function countingStore(): { store: Store; reads: { keys: number; instances: number; touches: number } } {
  const reads = { keys: 0, instances: 0, touches: 0 };
  const base = h.store;
  const store: Store = {
    ...base,
    apiKeys: {
      ...base.apiKeys,
      findApiKeyByHash: (hash) => {
        reads.keys++;
        return base.apiKeys.findApiKeyByHash(hash);
      },
      touchApiKey: (keyId, at) => {
        reads.touches++;
        return base.apiKeys.touchApiKey(keyId, at);
      },
    },
    instances: {
      ...base.instances,
      getInstance: (id) => {
        reads.instances++;
        return base.instances.getInstance(id);
      },
    },
  };
  return { store, reads };
}

function status(handler: HttpHandler, instanceId: string, key: string): Promise<Response> {
  return handler.handle(
    new Request(`${BASE}/${instanceId}/status`, { headers: { authorization: `Bearer ${key}` } }),
  );
}

async function keyIdOf(instanceId: string): Promise<string> {
  const [record] = await h.store.apiKeys.listApiKeys(instanceId);
  if (record === undefined) throw new Error('no key');
  return record.keyId;
}

describe('createPrincipalCache', () => {
  const principal = (instanceId: string) => ({
    instance: { instanceId } as InstanceRecord,
    apiKey: {
      keyId: crypto.randomUUID(),
      instanceId,
      keyHash: 'h',
      prefix: 'mcpk_x',
      name: null,
      createdAt: new Date(0),
      lastUsedAt: null,
    },
  });

  it('serves an entry until ttlMs after it was stored, then forgets it', () => {
    let now = 1_000;
    const cache = createPrincipalCache({ ttlMs: 100 }, () => now);
    cache.set('a', principal('i1'), cache.epoch());
    now += 99;
    expect(cache.get('a')?.instance.instanceId).toBe('i1');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest entry beyond maxEntries', () => {
    const cache = createPrincipalCache({ ttlMs: 1_000, maxEntries: 2 }, () => 0);
    cache.set('a', principal('i1'), cache.epoch());
    cache.set('b', principal('i2'), cache.epoch());
    cache.set('c', principal('i3'), cache.epoch());
    expect([
      cache.get('a'),
      cache.get('b')?.instance.instanceId,
      cache.get('c')?.instance.instanceId,
    ]).toEqual([undefined, 'i2', 'i3']);
  });

  it('forgets the entries of named instances (any letter case), or all of them', () => {
    const cache = createPrincipalCache({}, () => 0);
    const id = 'AAAAAAAA-0000-4000-8000-000000000001';
    cache.set('a', principal(id), cache.epoch());
    cache.set('b', principal(id), cache.epoch());
    cache.set('c', principal('other'), cache.epoch());
    cache.forget([id.toLowerCase()]);
    expect([cache.get('a'), cache.get('b'), cache.get('c')?.instance.instanceId]).toEqual([
      undefined,
      undefined,
      'other',
    ]);
    cache.forget();
    expect(cache.size).toBe(0);
  });

  it('does not cache a load that raced with forget (an epoch read before it)', () => {
    const cache = createPrincipalCache({}, () => 0);
    const before = cache.epoch();
    cache.forget(['someone-else']);
    cache.set('a', principal('i1'), before);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', principal('i1'), cache.epoch());
    expect(cache.get('a')?.instance.instanceId).toBe('i1');
  });

  it('holds nothing with ttlMs 0', () => {
    const cache = createPrincipalCache({ ttlMs: 0 }, () => 0);
    cache.set('a', principal('i1'), cache.epoch());
    expect(cache.get('a')).toBeUndefined();
  });

  it.each([
    [{ ttlMs: -1 }, 'principalCache.ttlMs'],
    [{ ttlMs: 1.5 }, 'principalCache.ttlMs'],
    [{ maxEntries: 0 }, 'principalCache.maxEntries'],
    [{ maxEntries: Number.NaN }, 'principalCache.maxEntries'],
  ])('rejects %o with a ConfigError naming the option', (options, option) => {
    expect(() => createPrincipalCache(options, () => 0)).toThrow(ConfigError);
    expect(() => createPrincipalCache(options, () => 0)).toThrow(option);
  });
});

describe('API-key resolution through the principal cache', () => {
  it('reads neither the key nor the instance again within the TTL, and again after it', async () => {
    const { store, reads } = countingStore();
    const handler = h.make({ store });
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    for (let i = 0; i < 5; i++) expect((await status(handler, instance.instanceId, key)).status).toBe(200);
    expect(reads).toMatchObject({ keys: 1, instances: 1 });
    h.clock.now += 2_000;
    expect((await status(handler, instance.instanceId, key)).status).toBe(200);
    expect(reads).toMatchObject({ keys: 2, instances: 2 });
  });

  it('reads the store on every request with principalCache: false', async () => {
    const { store, reads } = countingStore();
    const handler = h.make({ store, principalCache: false });
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    for (let i = 0; i < 3; i++) await status(handler, instance.instanceId, key);
    expect(reads).toMatchObject({ keys: 3, instances: 3 });
  });

  it('regression (cached principal outliving its key): a key deleted through the admin API fails at once', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    expect((await status(h.handler, instance.instanceId, key)).status).toBe(200);
    const deleted = await h.admin(
      'DELETE',
      `/api/v1/instances/${instance.instanceId}/api-keys/${await keyIdOf(instance.instanceId)}`,
    );
    expect(deleted.status).toBe(204);
    expect(await errorOf(await status(h.handler, instance.instanceId, key))).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });
  });

  it('an instance deleted through the admin API is not served on the next request (its keys went with it: 401)', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    expect((await status(h.handler, instance.instanceId, key)).status).toBe(200);
    expect((await h.admin('DELETE', `/api/v1/instances/${instance.instanceId}`)).status).toBe(200);
    expect((await status(h.handler, instance.instanceId, key)).status).toBe(401);
  });

  it('a key deleted elsewhere lives at most the TTL here, and not at all once forgetPrincipals is called', async () => {
    const handler = h.make();
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    expect((await status(handler, instance.instanceId, key)).status).toBe(200);
    // "Another replica" deletes the key: straight in the shared store, not through this handler.
    await h.store.apiKeys.deleteApiKey(instance.instanceId, await keyIdOf(instance.instanceId));
    expect((await status(handler, instance.instanceId, key)).status).toBe(200);
    h.clock.now += 2_000;
    expect((await status(handler, instance.instanceId, key)).status).toBe(401);

    const other = await h.seedInstance();
    const otherKey = await h.createKey(other.instanceId);
    expect((await status(handler, other.instanceId, otherKey)).status).toBe(200);
    await h.store.apiKeys.deleteApiKey(other.instanceId, await keyIdOf(other.instanceId));
    handler.forgetPrincipals([other.instanceId]);
    expect((await status(handler, other.instanceId, otherKey)).status).toBe(401);
  });

  it("a cached key still answers another instance's id with 404", async () => {
    const mine = await h.seedInstance();
    const other = await h.seedInstance();
    const key = await h.createKey(mine.instanceId);
    expect((await status(h.handler, mine.instanceId, key)).status).toBe(200);
    expect((await status(h.handler, other.instanceId, key)).status).toBe(404);
  });

  it('regression (review finding 4): a key read just before its deletion is not cached afterwards', async () => {
    let hold: Promise<void> | undefined;
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const readDone = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const base = h.store;
    const gated: Store = {
      ...base,
      apiKeys: {
        ...base.apiKeys,
        findApiKeyByHash: async (hash) => {
          const found = await base.apiKeys.findApiKeyByHash(hash);
          if (hold !== undefined) {
            reached();
            await hold;
          }
          return found;
        },
      },
    };
    const handler = h.make({ store: gated });
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inFlight = status(handler, instance.instanceId, key);
    await readDone;
    const keyId = await keyIdOf(instance.instanceId);
    const deleted = await handler.handle(
      new Request(`${BASE}/api/v1/instances/${instance.instanceId}/api-keys/${keyId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    expect(deleted.status).toBe(204);
    hold = undefined;
    release();
    // The request that read the key before the deletion completes; nothing after it may use the key.
    expect((await inFlight).status).toBe(200);
    expect((await status(handler, instance.instanceId, key)).status).toBe(401);
  });

  it('keeps serving a key resolved within the TTL while the store is down, then answers 503', async () => {
    const { store } = countingStore();
    let down = false;
    const failing = (): never => {
      throw new StoreError('STORE_UNAVAILABLE', 'The database is unavailable.');
    };
    const flaky: Store = {
      ...store,
      apiKeys: {
        ...store.apiKeys,
        findApiKeyByHash: (hash) => (down ? failing() : store.apiKeys.findApiKeyByHash(hash)),
      },
    };
    const handler = h.make({ store: flaky });
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    expect((await status(handler, instance.instanceId, key)).status).toBe(200);
    down = true;
    const whileDown = await handler.handle(
      new Request(`${BASE}/${instance.instanceId}/health`, { headers: { authorization: `Bearer ${key}` } }),
    );
    expect(whileDown.status).toBe(200);
    h.clock.now += 2_000;
    expect(await errorOf(await status(handler, instance.instanceId, key))).toMatchObject({
      status: 503,
      code: 'STORE_UNAVAILABLE',
    });
  });

  it('records last_used once per minute although the cached record is reused', async () => {
    const { store, reads } = countingStore();
    const handler = h.make({ store, principalCache: { ttlMs: 600_000 } });
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    for (let i = 0; i < 3; i++) await status(handler, instance.instanceId, key);
    expect(reads.touches).toBe(1);
    h.clock.now += 61_000;
    for (let i = 0; i < 3; i++) await status(handler, instance.instanceId, key);
    expect(reads).toMatchObject({ touches: 2, keys: 1 });
  });
});

describe('the sha256 option', () => {
  const nodeSha256 = (value: string) => createHash('sha256').update(value).digest('hex');

  it('hashes issued and presented keys alike: a key issued with one implementation works with the other', async () => {
    let calls = 0;
    const counting = (value: string) => {
      calls++;
      return nodeSha256(value);
    };
    const sync = h.make({ sha256: counting, principalCache: false });
    const instance = await h.seedInstance();
    const issuedByDefault = await h.createKey(instance.instanceId);
    expect((await status(sync, instance.instanceId, issuedByDefault)).status).toBe(200);
    expect(calls).toBe(1);
    const created = await sync.handle(
      new Request(`${BASE}/api/v1/instances/${instance.instanceId}/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'sync' }),
      }),
    );
    const { apiKey } = (await created.json()) as { apiKey: string };
    expect(calls).toBe(2);
    expect((await status(h.handler, instance.instanceId, apiKey)).status).toBe(200);
  });

  it('rejects a non-function with a ConfigError', () => {
    expect(() => h.make({ sha256: 'sha256' as unknown as (value: string) => string })).toThrow(ConfigError);
  });
});
