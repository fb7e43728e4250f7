import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../core/src/store/ports.js';
import { expectStoreError, type SuiteContext, unique } from './fixtures.js';

/** A promise with its resolve function, to hold a lock exactly as long as a test wants. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Holds `key` on `store` until the returned `release` is called; resolves `held` once the lock is taken. */
async function hold(store: Store, key: string) {
  const entered = gate();
  const leave = gate();
  const done = store.locks.withLock(key, { waitMs: 5_000 }, async () => {
    entered.open();
    await leave.promise;
    return 'held';
  });
  await entered.promise;
  return { release: leave.open, done };
}

function defineExclusionTests(
  label: string,
  first: () => Store,
  second: () => Store,
  available: () => boolean = () => true,
): void {
  it(`${label}: a held key refuses others (waitMs 0 and a short timeout), other keys stay free`, async (test) => {
    if (!available()) return test.skip();
    const key = unique('lock');
    const holder = await hold(first(), key);
    expect(await second().locks.withLock(key, { waitMs: 0 }, async () => 'x')).toEqual({ acquired: false });
    expect(await second().locks.withLock(key, { waitMs: 40 }, async () => 'x')).toEqual({ acquired: false });
    expect(await second().locks.withLock(unique('lock'), { waitMs: 0 }, async () => 'free')).toEqual({
      acquired: true,
      value: 'free',
    });
    holder.release();
    expect(await holder.done).toEqual({ acquired: true, value: 'held' });
    expect(await second().locks.withLock(key, { waitMs: 0 }, async () => 'next')).toEqual({
      acquired: true,
      value: 'next',
    });
  });

  it(`${label}: a waiter gets the lock once the holder finishes, never before`, async (test) => {
    if (!available()) return test.skip();
    const key = unique('lock');
    const log: string[] = [];
    const holder = await hold(first(), key);
    const waiter = second().locks.withLock(key, { waitMs: 10_000 }, async () => {
      log.push('waiter');
      return 2;
    });
    log.push('holder-ends');
    holder.release();
    await holder.done;
    expect(await waiter).toEqual({ acquired: true, value: 2 });
    expect(log).toEqual(['holder-ends', 'waiter']);
  });

  it(`${label}: 12 contenders run one at a time and all get the lock`, async (test) => {
    if (!available()) return test.skip();
    const key = unique('lock');
    let inside = 0;
    let maxInside = 0;
    const contenders = Array.from({ length: 12 }, (_, i) =>
      (i % 2 === 0 ? first() : second()).locks.withLock(key, { waitMs: 20_000 }, async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        // Real work on the store while holding the lock (must not deadlock on single-session databases).
        await (i % 2 === 0 ? first() : second()).ping();
        await Promise.resolve();
        inside -= 1;
        return i;
      }),
    );
    const results = await Promise.all(contenders);
    expect(results.every((r) => r.acquired)).toBe(true);
    expect(maxInside).toBe(1);
  });
}

/** `LockStore`: exclusive locks (also across two stores on one database) and leases. */
export function defineLockTests(ctx: SuiteContext): void {
  const store = () => ctx.harness().store;

  describe('locks', () => {
    it('runs fn with the lock and hands back its value; fn may use the store', async () => {
      const result = await store().locks.withLock(unique('lock'), { waitMs: 0 }, async () => {
        await store().ping();
        return { ok: true };
      });
      expect(result).toEqual({ acquired: true, value: { ok: true } });
    });

    it('releases the lock when fn throws and rethrows that very error', async () => {
      const key = unique('lock');
      const boom = new Error('fn failed');
      const outcome = await store()
        .locks.withLock(key, { waitMs: 0 }, async () => {
          throw boom;
        })
        .catch((error: unknown) => error);
      expect(outcome).toBe(boom);
      expect(await store().locks.withLock(key, { waitMs: 0 }, async () => 1)).toEqual({
        acquired: true,
        value: 1,
      });
    });

    it('refuses an empty key and a negative wait', async () => {
      await expectStoreError(
        store().locks.withLock('', { waitMs: 0 }, async () => 1),
        'STORE_INVALID_INPUT',
      );
      await expectStoreError(
        store().locks.withLock('k', { waitMs: -1 }, async () => 1),
        'STORE_INVALID_INPUT',
      );
    });

    defineExclusionTests('one store', store, store);

    describe('across two stores on the same database', () => {
      let second: { store: Store; close(): Promise<void> } | undefined;
      beforeAll(async () => {
        second = await ctx.harness().openSecondStore?.();
      });
      afterAll(async () => {
        await second?.close();
      });
      const other = () => {
        if (second === undefined) throw new Error('no second store');
        return second.store;
      };
      // Only back-ends with several sessions (PostgreSQL) offer a second store; PGlite skips these.
      defineExclusionTests('two stores', store, other, () => second !== undefined);
    });
  });

  describe('leases', () => {
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);

    it('is taken, refused to others, renewed by its owner and taken over once expired', async () => {
      const name = unique('lease');
      expect(await store().locks.tryLease(name, 'a', at(0), 1_000)).toBe(true);
      expect(await store().locks.tryLease(name, 'b', at(500), 1_000)).toBe(false);
      // Renewal moves the expiry to 500 + 1000.
      expect(await store().locks.tryLease(name, 'a', at(500), 1_000)).toBe(true);
      expect(await store().locks.tryLease(name, 'b', at(1_499), 1_000)).toBe(false);
      expect(await store().locks.tryLease(name, 'b', at(1_500), 1_000)).toBe(true);
      expect(await store().locks.tryLease(name, 'a', at(1_600), 1_000)).toBe(false);
    });

    it('is released only by its owner', async () => {
      const name = unique('lease');
      expect(await store().locks.tryLease(name, 'a', at(0), 60_000)).toBe(true);
      await store().locks.releaseLease(name, 'b');
      expect(await store().locks.tryLease(name, 'b', at(1), 60_000)).toBe(false);
      await store().locks.releaseLease(name, 'a');
      expect(await store().locks.tryLease(name, 'b', at(2), 60_000)).toBe(true);
      await store().locks.releaseLease(unique('lease'), 'nobody');
    });

    it('goes to exactly one of 10 concurrent contenders', async () => {
      const name = unique('lease');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store().locks.tryLease(name, `owner-${i}`, at(0), 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('refuses empty names and owners and a non-positive ttl', async () => {
      await expectStoreError(store().locks.tryLease('', 'a', t0, 1_000), 'STORE_INVALID_INPUT');
      await expectStoreError(store().locks.tryLease(unique('lease'), '', t0, 1_000), 'STORE_INVALID_INPUT');
      await expectStoreError(store().locks.tryLease(unique('lease'), 'a', t0, 0), 'STORE_INVALID_INPUT');
    });
  });
}
