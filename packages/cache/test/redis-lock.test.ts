import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLock, type RedisLock } from '../src/redis/index.js';
import { randomId } from './helpers/fixtures.js';
import { deleteKeysUnder, plainClient } from './helpers/redis-harness.js';

const REDIS_URL = process.env.REDIS_URL;

describe('Redis lock: options (no server needed)', () => {
  it('rejects invalid options and arguments with coded errors', async () => {
    expect(() => createRedisLock({})).toThrow(expect.objectContaining({ option: 'url' }));
    expect(() => createRedisLock({ url: 'redis://127.0.0.1:1', keyPrefix: 'a b' })).toThrow(
      expect.objectContaining({ option: 'keyPrefix' }),
    );
    expect(() => createRedisLock({ url: 'redis://127.0.0.1:1', pollMinMs: 50, pollMaxMs: 10 })).toThrow(
      expect.objectContaining({ option: 'pollMaxMs' }),
    );
    const lock = createRedisLock({ client: { set: async () => null, eval: async () => 0 } });
    for (const bad of [
      lock.acquire('', { waitMs: 0, ttlMs: 1_000 }),
      lock.acquire('k', { waitMs: -1, ttlMs: 1_000 }),
      lock.acquire('k', { waitMs: 0, ttlMs: 0 }),
    ]) {
      await expect(bad).rejects.toMatchObject({ code: 'CACHE_LOCK_INVALID' });
    }
  });

  it('polls with jittered pauses on the injected clock and gives up at waitMs', async () => {
    let now = 0;
    const pauses: number[] = [];
    let attempts = 0;
    const lock = createRedisLock({
      client: {
        set: async () => {
          attempts++;
          return null;
        },
        eval: async () => 0,
      },
      now: () => now,
      sleep: async (ms) => {
        pauses.push(ms);
        now += ms;
      },
      random: () => 0.5,
      pollMinMs: 10,
      pollMaxMs: 30,
    });
    expect(await lock.acquire('busy', { waitMs: 100, ttlMs: 1_000 })).toBeNull();
    expect(pauses.every((ms) => ms >= 1 && ms <= 30)).toBe(true);
    expect(pauses.reduce((a, b) => a + b, 0)).toBe(100);
    expect(attempts).toBe(pauses.length + 1);
  });
});

describe.skipIf(!REDIS_URL)('Redis lock on a real Redis', () => {
  const keyPrefix = `mcp-oauth-test-lock-${randomId()}`;
  let raw: Awaited<ReturnType<typeof plainClient>>;
  let a: RedisLock;
  let b: RedisLock;

  beforeAll(async () => {
    raw = await plainClient(REDIS_URL!);
    a = createRedisLock({ url: REDIS_URL!, keyPrefix });
    b = createRedisLock({ url: REDIS_URL!, keyPrefix });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await deleteKeysUnder(raw, keyPrefix);
    await raw?.close();
  });

  it('is mutually exclusive across two lock instances', async () => {
    const key = `mutex-${randomId()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).acquire(key, { waitMs: 0, ttlMs: 10_000 })),
    );
    const winners = results.filter((held) => held !== null);
    expect(winners).toHaveLength(1);
    expect(await a.acquire(key, { waitMs: 0, ttlMs: 10_000 })).toBeNull();
    await winners[0]!.release();
    await winners[0]!.release();
    const next = await b.acquire(key, { waitMs: 0, ttlMs: 10_000 });
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('a waiter gets the lock once the holder releases it', async () => {
    const key = `wait-${randomId()}`;
    const held = await a.acquire(key, { waitMs: 0, ttlMs: 10_000 });
    expect(held).not.toBeNull();
    const waiting = b.acquire(key, { waitMs: 10_000, ttlMs: 10_000 });
    await held!.release();
    const second = await waiting;
    expect(second).not.toBeNull();
    await second!.release();
  });

  it('releases only what it owns: a late release never deletes the next owner’s lock', async () => {
    const key = `owner-${randomId()}`;
    const redisKey = `${keyPrefix}:${key}`;
    const first = await a.acquire(key, { waitMs: 0, ttlMs: 10_000 });
    const firstOwner = await raw.get(redisKey);
    expect(firstOwner).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await raw.del(redisKey); // the first holder's lock expires
    const second = await b.acquire(key, { waitMs: 0, ttlMs: 10_000 });
    const secondOwner = await raw.get(redisKey);
    expect(second).not.toBeNull();
    expect(secondOwner).not.toBe(firstOwner);
    await first!.release();
    expect(await raw.get(redisKey)).toBe(secondOwner);
    expect(await a.acquire(key, { waitMs: 0, ttlMs: 10_000 })).toBeNull();
    await second!.release();
    expect(await raw.get(redisKey)).toBeNull();
  });

  it('expires with ttlMs, so a crashed holder cannot keep it', async () => {
    const key = `ttl-${randomId()}`;
    const crashed = await a.acquire(key, { waitMs: 0, ttlMs: 300 });
    expect(crashed).not.toBeNull();
    const ttl = await raw.pTTL(`${keyPrefix}:${key}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    // The waiter polls (production code) until Redis expires the crashed holder's key.
    const next = await b.acquire(key, { waitMs: 5_000, ttlMs: 10_000 });
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('works over a client you manage (node-redis v5 fits RedisLockClient)', async () => {
    const client = createClient({ url: REDIS_URL! });
    client.on('error', () => {});
    await client.connect();
    try {
      const lock = createRedisLock({ client, keyPrefix });
      const held = await lock.acquire(`own-${randomId()}`, { waitMs: 0, ttlMs: 5_000 });
      expect(held).not.toBeNull();
      await held!.release();
      await lock.close();
      expect(client.isOpen).toBe(true);
    } finally {
      await client.close();
    }
  });
});
