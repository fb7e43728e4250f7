import { describe, expect, it } from 'vitest';
import { makeEntry, newKey } from '../helpers/fixtures.js';
import type { SuiteContext } from './context.js';

export function defineBasicTests(ctx: SuiteContext): void {
  describe('get / set', () => {
    it('round-trips an entry and misses unknown keys', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const key = newKey(w.service);
      const entry = makeEntry();
      expect(await cache.get(key)).toBeUndefined();
      await cache.set(key, entry);
      const hit = await cache.get(key);
      expect(hit).toEqual(entry);
      expect(Object.isFrozen(hit)).toBe(true);
      expect(await cache.get(newKey(w.service))).toBeUndefined();
    });

    it('namespaces entries per service: the same instance id under another service is another entry', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const key = newKey(w.service);
      await cache.set(key, makeEntry());
      expect(await cache.get({ serviceName: w.otherService, instanceId: key.instanceId })).toBeUndefined();
    });

    it('another replica reads the entry from the shared store', async () => {
      const w = ctx.world();
      const a = w.replica();
      const b = w.replica();
      const key = newKey(w.service);
      const entry = makeEntry();
      await a.set(key, entry);
      expect(await b.get(key)).toEqual(entry);
      expect(b.stats()).toMatchObject({ sharedHits: 1, localHits: 0 });
      expect(await b.get(key)).toEqual(entry);
      expect(b.stats()).toMatchObject({ sharedHits: 1, localHits: 1, hits: 2, misses: 0, hitRatio: 1 });
    });

    it('never lets a lower version overwrite a higher one (same replica and across replicas)', async () => {
      const w = ctx.world();
      const a = w.replica();
      const b = w.replica();
      const key = newKey(w.service);
      const v2 = makeEntry({ version: 2 });
      await a.set(key, v2);
      await a.set(key, makeEntry({ version: 1 }));
      expect(await a.get(key)).toEqual(v2);
      await b.set(key, makeEntry({ version: 1 }));
      expect(await w.replica().get(key)).toEqual(v2);
      expect(a.stats().staleSetsIgnored + b.stats().staleSetsIgnored).toBe(2);
      const v3 = makeEntry({ version: 3 });
      await b.set(key, v3);
      expect(await w.replica().get(key)).toEqual(v3);
    });

    it('lets an equal version replace the entry (a status change)', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const key = newKey(w.service);
      const entry = makeEntry({ version: 4 });
      await cache.set(key, entry);
      await cache.set(key, { ...entry, status: 'needs_reauth' });
      expect((await w.replica().get(key))?.status).toBe('needs_reauth');
      expect((await cache.get(key))?.status).toBe('needs_reauth');
    });

    it('rejects a malformed entry with CACHE_INVALID_ENTRY, naming no value', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const bad = { ...makeEntry(), version: 'x' } as unknown as Parameters<typeof cache.set>[1];
      const error = await cache.set(newKey(w.service), bad).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'CacheError', code: 'CACHE_INVALID_ENTRY' });
      expect((error as Error).message).not.toContain('gho_access');
    });

    it('expires LRU entries after lruTtlMs and shared entries after storeTtlMs (injected clock)', async () => {
      const w = ctx.world();
      const cache = w.replica({ lruTtlMs: 1_000, storeTtlMs: 5_000 });
      const key = newKey(w.service);
      await cache.set(key, makeEntry());
      await cache.get(key);
      expect(cache.stats()).toMatchObject({ localHits: 1, sharedHits: 0 });
      w.clock.advance(1_001);
      expect(await cache.get(key)).toBeDefined();
      expect(cache.stats()).toMatchObject({ localHits: 1, sharedHits: 1 });
      w.clock.advance(4_000);
      expect(await cache.get(key)).toBeUndefined();
      expect(cache.stats().misses).toBe(1);
      expect(await w.harness.rawValue(w.storeKey(key))).toBeUndefined();
    });

    it('bounds the in-process LRU to lruMaxEntries', async () => {
      const w = ctx.world();
      const cache = w.replica({ lruMaxEntries: 3 });
      const keys = Array.from({ length: 5 }, () => newKey(w.service));
      for (const key of keys) await cache.set(key, makeEntry());
      expect(cache.stats().localEntries).toBe(3);
      for (const key of [...keys].reverse()) expect(await cache.get(key)).toBeDefined();
      expect(cache.stats().localEntries).toBe(3);
      expect(cache.stats().sharedHits).toBe(2);
    });

    it('keeps tokens out of the shared store: the raw value is ciphertext bound to the instance', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const key = newKey(w.service);
      const entry = makeEntry();
      await cache.set(key, entry);
      const raw = await w.harness.rawValue(w.storeKey(key));
      expect(raw).toBeDefined();
      expect(raw).not.toContain(entry.bearerToken);
      expect(raw).not.toContain(entry.refreshToken);
      expect(raw).toContain('"ciphertext":"v1.k1.');
      // A ciphertext copied under another instance's key does not decrypt there: a miss, then removed.
      const other = newKey(w.service);
      await w.harness.writeRaw(w.storeKey(other), raw!);
      expect(await w.replica().get(other)).toBeUndefined();
      expect(await w.harness.rawValue(w.storeKey(other))).toBeUndefined();
    });

    it('treats a corrupt stored value as a miss and removes it', async () => {
      const w = ctx.world();
      const key = newKey(w.service);
      await w.harness.writeRaw(w.storeKey(key), 'not json at all');
      const other = newKey(w.service);
      await w.harness.writeRaw(w.storeKey(other), JSON.stringify({ value: { hello: 'world' } }));
      const cache = w.replica();
      expect(await cache.get(key)).toBeUndefined();
      expect(await cache.get(other)).toBeUndefined();
      expect(await w.harness.rawValue(w.storeKey(other))).toBeUndefined();
    });

    it('answers ping and counts hits, misses and sets', async () => {
      const w = ctx.world();
      const cache = w.replica();
      await cache.ping();
      const key = newKey(w.service);
      await cache.get(key);
      await cache.set(key, makeEntry());
      await cache.get(key);
      expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, hitRatio: 0.5, sets: 1, errors: 0 });
    });

    it('refuses to work once closed', async () => {
      const w = ctx.world();
      const cache = w.replica();
      await cache.close();
      await cache.close();
      await expect(cache.get(newKey(w.service))).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    });
  });
}
