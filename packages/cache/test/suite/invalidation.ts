import { describe, expect, it } from 'vitest';
import type { InvalidationMessage } from '../../src/index.js';
import { deferred, makeEntry, newKey, testKeyRing } from '../helpers/fixtures.js';
import type { SuiteContext, World } from './context.js';

/** A replica plus a promise of the next invalidation message it applies. */
function listeningReplica(w: World) {
  let next = deferred<InvalidationMessage>();
  const cache = w.replica({
    onInvalidationMessage: (message) => {
      const current = next;
      next = deferred<InvalidationMessage>();
      current.resolve(message);
    },
  });
  return { cache, nextMessage: () => next.promise };
}

export function defineInvalidationTests(ctx: SuiteContext): void {
  describe('invalidation', () => {
    it('invalidateInstanceCache removes the entry and verifies it is gone', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const key = newKey(w.service);
      await cache.set(key, makeEntry());
      expect(await cache.invalidateInstanceCache(key.serviceName, key.instanceId)).toEqual({
        removed: 1,
        verified: true,
      });
      expect(await cache.get(key)).toBeUndefined();
      expect(await w.harness.rawValue(w.storeKey(key))).toBeUndefined();
      expect(await cache.invalidateInstanceCache(key.serviceName, key.instanceId)).toEqual({
        removed: 0,
        verified: true,
      });
      expect(cache.stats().invalidations).toBe(1);
    });

    it('reaches every replica: the other LRU stops serving the entry once the message arrives', async () => {
      const w = ctx.world();
      const a = w.replica();
      const { cache: b, nextMessage } = listeningReplica(w);
      await Promise.all([a.ready(), b.ready()]);
      const key = newKey(w.service);
      const entry = makeEntry();
      await a.set(key, entry);
      expect(await b.get(key)).toEqual(entry);
      // Without a message, b keeps serving its in-process copy even when the shared entry is gone.
      await w.harness.deleteRaw(w.storeKey(key));
      expect(await b.get(key)).toEqual(entry);

      const message = nextMessage();
      await a.set(key, entry);
      await a.invalidateInstanceCache(key.serviceName, key.instanceId);
      expect(await message).toEqual({ kind: 'instances', origin: a.id, instances: [key] });
      expect(await b.get(key)).toBeUndefined();

      const newer = makeEntry({ version: 2 });
      await a.set(key, newer);
      expect(await b.get(key)).toEqual(newer);
    });

    it('announceRevocation reaches every other replica and changes no cached token there', async () => {
      const w = ctx.world();
      const a = w.replica();
      const { cache: b, nextMessage } = listeningReplica(w);
      await Promise.all([a.ready(), b.ready()]);
      const key = newKey(w.service);
      const entry = makeEntry();
      await a.set(key, entry);
      expect(await b.get(key)).toEqual(entry);
      const message = nextMessage();
      await a.announceRevocation(key.instanceId, 'key-1');
      expect(await message).toEqual({
        kind: 'revoked',
        origin: a.id,
        instanceId: key.instanceId,
        keyId: 'key-1',
      });
      expect(await b.get(key)).toEqual(entry);
      expect(b.stats().invalidations).toBe(0);
      const whole = nextMessage();
      await a.announceRevocation(key.instanceId);
      expect(await whole).toMatchObject({ kind: 'revoked', keyId: null });
      expect(await b.get(key)).toEqual(entry);
    });

    it('bulkInvalidateCache removes many entries on every replica', async () => {
      const w = ctx.world();
      const a = w.replica();
      const { cache: b, nextMessage } = listeningReplica(w);
      await Promise.all([a.ready(), b.ready()]);
      const keys = [newKey(w.service), newKey(w.service), newKey(w.otherService)];
      const kept = newKey(w.service);
      for (const key of [...keys, kept]) await a.set(key, makeEntry());
      for (const key of [...keys, kept]) await b.get(key);
      const message = nextMessage();
      const report = await a.bulkInvalidateCache([...keys, keys[0]!, newKey(w.service)]);
      expect(report).toEqual({ removed: 3, verified: true });
      expect(await message).toMatchObject({ kind: 'instances', origin: a.id });
      for (const key of keys) {
        expect(await b.get(key)).toBeUndefined();
        expect(await w.harness.rawValue(w.storeKey(key))).toBeUndefined();
      }
      expect(await b.get(kept)).toBeDefined();
    });

    it('emergencyCacheClear drops one service everywhere and leaves the others', async () => {
      const w = ctx.world();
      const a = w.replica();
      const { cache: b, nextMessage } = listeningReplica(w);
      await Promise.all([a.ready(), b.ready()]);
      const doomed = [newKey(w.service), newKey(w.service), newKey(w.service)];
      const other = newKey(w.otherService);
      for (const key of [...doomed, other]) await a.set(key, makeEntry());
      await b.get(doomed[0]!);
      const message = nextMessage();
      expect(await a.emergencyCacheClear(w.service)).toEqual({ removed: 3, verified: true });
      expect(await message).toEqual({ kind: 'service', origin: a.id, serviceName: w.service });
      for (const key of doomed) {
        expect(await b.get(key)).toBeUndefined();
        expect(await w.harness.rawValue(w.storeKey(key))).toBeUndefined();
      }
      expect(await b.get(other)).toBeDefined();
    });

    it('cleanupInvalidCacheEntries removes expired, non-active and undecryptable entries', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const now = w.clock.now();
      const valid = newKey(w.service);
      const expired = newKey(w.service);
      const reauth = newKey(w.service);
      const foreign = newKey(w.service);
      const corrupt = newKey(w.otherService);
      await cache.set(valid, makeEntry({ expiresAt: now + 60_000 }));
      await cache.set(expired, makeEntry({ expiresAt: now + 1_000 }));
      await cache.set(reauth, makeEntry({ status: 'needs_reauth' }));
      await w.replica({ keyRing: testKeyRing('other-key') }).set(foreign, makeEntry());
      await w.harness.writeRaw(w.storeKey(corrupt), JSON.stringify({ value: { format: 1 } }));
      w.clock.advance(2_000);

      const report = await cache.cleanupInvalidCacheEntries('scheduled sweep');
      expect(report).toEqual({
        reason: 'scheduled sweep',
        removed: 4,
        verified: true,
        expired: 1,
        inactive: 1,
        undecryptable: 2,
      });
      for (const key of [expired, reauth, foreign, corrupt]) {
        expect(await w.harness.rawValue(w.storeKey(key))).toBeUndefined();
      }
      expect(await cache.get(valid)).toBeDefined();
      expect(await cache.get(expired)).toBeUndefined();
    });
  });
}
