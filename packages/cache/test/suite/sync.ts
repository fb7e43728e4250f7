import type { CacheKey } from '@org/mcp-oauth-core';
import { describe, expect, it } from 'vitest';
import type { Scheduler, SyncSnapshot, WarmUpItem } from '../../src/index.js';
import { deferred, makeEntry, newKey } from '../helpers/fixtures.js';
import type { SuiteContext } from './context.js';

/** A scheduler whose timer the test fires by hand. */
function manualScheduler() {
  const timers = new Map<number, () => void>();
  let next = 0;
  const scheduler: Scheduler = {
    setInterval(callback) {
      next++;
      timers.set(next, callback);
      return next;
    },
    clearInterval(handle) {
      timers.delete(handle as number);
    },
  };
  const fire = (): void => {
    for (const run of [...timers.values()]) run();
  };
  return { scheduler, fire, count: () => timers.size };
}

export function defineSyncTests(ctx: SuiteContext): void {
  describe('database synchronisation and warm-up', () => {
    it('syncNow repairs divergences: deleted, status changed, version changed', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const [same, deleted, revoked, rotated, rotatedNoEntry] = Array.from({ length: 5 }, () =>
        newKey(w.service),
      );
      for (const key of [same, deleted, revoked, rotated, rotatedNoEntry]) {
        await cache.set(key!, makeEntry({ version: 3 }));
      }
      const fresh = makeEntry({ version: 4 });
      const seen: CacheKey[] = [];
      const report = await cache.syncNow(async (keys) => {
        seen.push(...keys);
        return new Map<string, SyncSnapshot>([
          [same!.instanceId, { version: 3, status: 'active' }],
          [revoked!.instanceId, { version: 3, status: 'needs_reauth' }],
          [rotated!.instanceId, { version: 4, status: 'active', entry: fresh }],
          [rotatedNoEntry!.instanceId, { version: 5, status: 'active' }],
        ]);
      });
      expect(seen).toHaveLength(5);
      expect(report).toMatchObject({ checked: 5, repaired: 4, failedBatches: 0 });
      expect(report.divergences).toEqual(
        expect.arrayContaining([
          { ...deleted, cause: 'deleted', action: 'evicted' },
          { ...revoked, cause: 'status', action: 'evicted' },
          { ...rotated, cause: 'version', action: 'refreshed' },
          { ...rotatedNoEntry, cause: 'version', action: 'evicted' },
        ]),
      );
      expect(await cache.get(same!)).toBeDefined();
      expect(await cache.get(deleted!)).toBeUndefined();
      expect(await cache.get(revoked!)).toBeUndefined();
      expect(await cache.get(rotated!)).toEqual(fresh);
      expect(await w.replica().get(rotatedNoEntry!)).toBeUndefined();
    });

    it('a failing load is reported per batch and does not throw', async () => {
      const w = ctx.world();
      const cache = w.replica();
      for (let i = 0; i < 3; i++) await cache.set(newKey(w.service), makeEntry());
      const report = await cache.syncNow(async () => {
        throw new Error('database down');
      });
      expect(report).toMatchObject({ checked: 0, repaired: 0, failedBatches: 1 });
      expect(cache.stats().localEntries).toBe(3);
    });

    it('startSync runs on the scheduler, in batches, and stops', async () => {
      const w = ctx.world();
      const timers = manualScheduler();
      const cache = w.replica({ scheduler: timers.scheduler });
      const keys = Array.from({ length: 5 }, () => newKey(w.service));
      for (const key of keys) await cache.set(key, makeEntry());
      const batches: number[] = [];
      let ran = deferred<void>();
      const handle = cache.startSync({
        intervalMs: 60_000,
        batchSize: 2,
        load: async (batch) => {
          batches.push(batch.length);
          if (batches.length === 3) ran.resolve();
          return new Map(batch.map((key) => [key.instanceId, { version: 1, status: 'active' as const }]));
        },
      });
      timers.fire();
      await ran.promise;
      expect(batches).toEqual([2, 2, 1]);
      ran = deferred<void>();
      expect((await handle.syncNow()).checked).toBe(5);
      handle.stop();
      expect(timers.count()).toBe(0);
    });

    it('rejects an invalid sync interval with a ConfigError naming it', () => {
      const w = ctx.world();
      const cache = w.replica();
      expect(() => cache.startSync({ intervalMs: 0, load: async () => new Map() })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID_OPTION', option: 'intervalMs' }),
      );
    });

    it('warmUp returns before loading and fills the cache in the background', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const items: WarmUpItem[] = Array.from({ length: 4 }, () => ({
        key: newKey(w.service),
        entry: makeEntry(),
      }));
      const gate = deferred<WarmUpItem[]>();
      let called = false;
      const handle = cache.warmUp(() => {
        called = true;
        return gate.promise;
      });
      expect(called).toBe(false);
      expect(await cache.get(items[0]!.key)).toBeUndefined();
      gate.resolve(items);
      expect(await handle.done).toEqual({ loaded: 4, failed: 0, completed: true });
      for (const item of items) expect(await cache.get(item.key)).toEqual(item.entry);
    });

    it('a failing warm-up is logged, never thrown', async () => {
      const w = ctx.world();
      const cache = w.replica();
      const handle = cache.warmUp(async () => {
        throw new Error('database down');
      });
      expect(await handle.done).toEqual({ loaded: 0, failed: 0, completed: false });
    });
  });
}
