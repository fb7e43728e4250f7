import { createMemoryRateLimitStore, type RateLimitStore } from '@org/mcp-oauth-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimitStore, type RedisRateLimitStore } from '../src/redis/index.js';
import { randomId } from './helpers/fixtures.js';
import { deleteKeysUnder, plainClient } from './helpers/redis-harness.js';

const REDIS_URL = process.env.REDIS_URL;
const spec = { capacity: 3, refillPerSecond: 0.5 };

describe('Redis rate-limit store: options and failures (no server needed)', () => {
  it('rejects invalid options', () => {
    expect(() => createRedisRateLimitStore({})).toThrow(expect.objectContaining({ option: 'url' }));
    expect(() => createRedisRateLimitStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'a b' })).toThrow(
      expect.objectContaining({ option: 'keyPrefix' }),
    );
  });

  it('sends one script call per take and maps its reply; failures become CACHE_UNAVAILABLE', async () => {
    const calls: Array<{ keys: string[]; arguments: string[] }> = [];
    const store = createRedisRateLimitStore({
      keyPrefix: 'p',
      client: {
        eval: async (_script, options) => {
          calls.push(options);
          return [0, 0, 1500];
        },
      },
    });
    expect(await store.take('tool-calls:i', spec, 1234.7)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 1500,
    });
    expect(calls).toEqual([{ keys: ['p:tool-calls:i'], arguments: ['3', '0.5', '1234'] }]);
    const broken = createRedisRateLimitStore({
      client: {
        eval: async () => {
          throw new Error('connection reset');
        },
      },
    });
    await expect(broken.take('k', spec, 0)).rejects.toMatchObject({ code: 'CACHE_UNAVAILABLE' });
    const odd = createRedisRateLimitStore({ client: { eval: async () => 'OK' } });
    await expect(odd.take('k', spec, 0)).rejects.toMatchObject({ code: 'CACHE_UNAVAILABLE' });
  });
});

describe.skipIf(!REDIS_URL)('Redis rate-limit store on a real server', () => {
  const keyPrefix = `mcp-oauth-test-${randomId()}`;
  let replicaA: RedisRateLimitStore;
  let replicaB: RedisRateLimitStore;

  beforeAll(() => {
    replicaA = createRedisRateLimitStore({ url: REDIS_URL as string, keyPrefix });
    replicaB = createRedisRateLimitStore({ url: REDIS_URL as string, keyPrefix });
  });
  afterAll(async () => {
    const raw = await plainClient(REDIS_URL as string);
    await deleteKeysUnder(raw, keyPrefix);
    await raw.close();
    await replicaA?.close();
    await replicaB?.close();
  });

  it('computes exactly what the in-process store computes', async () => {
    const memory: RateLimitStore = createMemoryRateLimitStore();
    const steps = [0, 0, 0, 0, 500, 1_999, 2_000, 2_000, 7_000, 7_000, 7_001, 3_000, 7_500, 60_000];
    for (const at of steps) {
      expect(await replicaA.take('same-math', spec, at)).toEqual(await memory.take('same-math', spec, at));
    }
  });

  it('replicas share one bucket per key; keys are independent', async () => {
    const taken = [];
    for (let i = 0; i < 4; i++) {
      taken.push((await (i % 2 === 0 ? replicaA : replicaB).take('shared', spec, 100_000)).allowed);
    }
    expect(taken).toEqual([true, true, true, false]);
    expect((await replicaB.take('other', spec, 100_000)).allowed).toBe(true);
  });

  it('takes atomically under concurrency', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? replicaA : replicaB).take('burst', spec, 200_000)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
  });

  it('sets an expiry on the bucket key', async () => {
    await replicaA.take('expiring', spec, 0);
    const raw = await plainClient(REDIS_URL as string);
    try {
      const ttl = await raw.pTTL(`${keyPrefix}:expiring`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(7_000);
    } finally {
      await raw.close();
    }
  });
});
