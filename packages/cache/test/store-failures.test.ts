import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { describe, expect, it } from 'vitest';
import { createTokenCache } from '../src/index.js';
import { makeEntry, newKey, recordingLogger, testKeyRing } from './helpers/fixtures.js';

type Mode = 'ok' | 'throw' | 'false';

/** A keyv store adapter that works, throws, or answers `set` with `false`, as the test says. */
function flakyStore() {
  const map = new Map<string, unknown>();
  let mode: Mode = 'ok';
  const fail = () => {
    if (mode === 'throw') throw new Error('store is down');
  };
  const adapter: KeyvStoreAdapter = {
    opts: {},
    namespace: undefined,
    on() {
      return adapter;
    },
    async get<Value>(key: string) {
      fail();
      return map.get(key) as Value | undefined;
    },
    async set(key: string, value: unknown) {
      fail();
      if (mode === 'false') return false;
      map.set(key, value);
      return true;
    },
    async delete(key: string) {
      fail();
      return map.delete(key);
    },
    async clear() {
      map.clear();
    },
  };
  // Deliberately constructed without throwOnErrors: createTokenCache must turn it on.
  const keyv = new Keyv({ store: adapter, namespace: undefined, useKeyPrefix: false });
  return { keyv, setMode: (next: Mode) => (mode = next) };
}

describe('store failures surface', () => {
  it('a throwing store makes get, set, invalidate and ping fail with CACHE_UNAVAILABLE', async () => {
    const store = flakyStore();
    const logger = recordingLogger();
    const cache = createTokenCache({ keyRing: testKeyRing(), store: store.keyv, logger });
    const key = newKey('github');
    const entry = makeEntry();
    store.setMode('throw');
    for (const attempt of [
      () => cache.get(key),
      () => cache.set(key, entry),
      () => cache.invalidateInstanceCache(key.serviceName, key.instanceId),
      () => cache.ping(),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'CacheError', code: 'CACHE_UNAVAILABLE' });
      expect(((error as Error).cause as Error).message).toBe('store is down');
      expect(Object.keys(error as object)).not.toContain('cause');
      expect((error as Error).message).not.toContain(entry.bearerToken);
    }
    expect(cache.stats().errors).toBe(4);
    expect(logger.text()).not.toContain(entry.bearerToken);
  });

  it('a store whose set answers false is an error, not a silent miss', async () => {
    const store = flakyStore();
    const cache = createTokenCache({ keyRing: testKeyRing(), store: store.keyv });
    store.setMode('false');
    await expect(cache.set(newKey('github'), makeEntry())).rejects.toMatchObject({
      code: 'CACHE_UNAVAILABLE',
    });
    expect(cache.stats().sets).toBe(0);
  });

  it('serves in-process hits while the store is down, and evicts locally even when the store fails', async () => {
    const store = flakyStore();
    const cache = createTokenCache({ keyRing: testKeyRing(), store: store.keyv });
    const key = newKey('github');
    const entry = makeEntry();
    await cache.set(key, entry);
    store.setMode('throw');
    expect(await cache.get(key)).toEqual(entry);
    await expect(cache.invalidateInstanceCache(key.serviceName, key.instanceId)).rejects.toMatchObject({
      code: 'CACHE_UNAVAILABLE',
    });
    await expect(cache.get(key)).rejects.toMatchObject({ code: 'CACHE_UNAVAILABLE' });
    store.setMode('ok');
    expect(await cache.invalidateInstanceCache(key.serviceName, key.instanceId)).toEqual({
      removed: 1,
      verified: true,
    });
  });

  it('reports CACHE_UNSUPPORTED when the store cannot list keys', async () => {
    const store = flakyStore();
    const cache = createTokenCache({ keyRing: testKeyRing(), store: store.keyv });
    await expect(cache.emergencyCacheClear('github')).rejects.toMatchObject({ code: 'CACHE_UNSUPPORTED' });
    await expect(cache.cleanupInvalidCacheEntries('sweep')).rejects.toMatchObject({
      code: 'CACHE_UNSUPPORTED',
    });
  });
});

describe('defaults and options', () => {
  it('works with the default process-local keyv', async () => {
    const cache = createTokenCache({ keyRing: testKeyRing() });
    const key = newKey('github');
    const entry = makeEntry();
    await cache.set(key, entry);
    expect(await cache.get(key)).toEqual(entry);
    expect(await cache.emergencyCacheClear('github')).toEqual({ removed: 1, verified: true });
    await cache.ready();
    await cache.close();
  });

  it.each([
    ['keyRing', { keyRing: undefined }],
    ['keyRing', { keyRing: { encrypt() {} } }],
    ['store', { store: 'redis://x' }],
    ['namespace', { namespace: 'a*b' }],
    ['namespace', { namespace: '' }],
    ['lruMaxEntries', { lruMaxEntries: 0 }],
    ['lruTtlMs', { lruTtlMs: 1.5 }],
    ['storeTtlMs', { storeTtlMs: -1 }],
    ['invalidationBus', { invalidationBus: {} }],
    ['now', { now: 5 }],
    ['logger', { logger: console.log }],
    ['scheduler', { scheduler: {} }],
  ])('rejects an invalid %s with a ConfigError naming it', (option, override) => {
    const options = { keyRing: testKeyRing(), ...override } as unknown as Parameters<
      typeof createTokenCache
    >[0];
    expect(() => createTokenCache(options)).toThrow(
      expect.objectContaining({ name: 'ConfigError', code: 'CONFIG_INVALID_OPTION', option }),
    );
  });
});
