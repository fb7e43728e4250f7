import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';
import {
  createMemoryRateLimitStore,
  createToolRateLimiter,
  type RateLimitStore,
  takeFromBucket,
} from '../../src/mcp/rate-limit.js';

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('takeFromBucket', () => {
  const spec = { capacity: 2, refillPerSecond: 0.5 };

  it('starts full, refuses when empty with the time until one token is back, refills over time', () => {
    let step = takeFromBucket(undefined, spec, 0);
    expect(step.decision).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
    step = takeFromBucket(step.state, spec, 0);
    expect(step.decision).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    step = takeFromBucket(step.state, spec, 500);
    expect(step.decision).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_500 });
    step = takeFromBucket(step.state, spec, 2_000);
    expect(step.decision.allowed).toBe(true);
  });

  it('does not refill twice when the clock steps backwards', () => {
    const empty = { tokens: 0, atMs: 10_000 };
    const back = takeFromBucket(empty, spec, 4_000);
    expect(back.decision.allowed).toBe(false);
    expect(back.state).toEqual({ tokens: 0, atMs: 10_000 });
    expect(takeFromBucket(back.state, spec, 11_000).decision).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 1_000,
    });
  });

  it('never refills beyond capacity', () => {
    const step = takeFromBucket({ tokens: 0, atMs: 0 }, spec, 3_600_000);
    expect(step.state.tokens).toBe(1);
  });
});

describe('createToolRateLimiter', () => {
  it('throttles a flooding instance while another instance is unaffected', async () => {
    const c = clock();
    const limiter = createToolRateLimiter({ capacity: 3, refillPerSecond: 1, now: c.now });
    const flood = await Promise.all(Array.from({ length: 10 }, () => limiter.take('noisy')));
    expect(flood.filter((d) => d.allowed)).toHaveLength(3);
    expect(flood.at(-1)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 });
    expect((await limiter.take('quiet')).allowed).toBe(true);
    c.state.now += 1_000;
    expect((await limiter.take('noisy')).allowed).toBe(true);
    expect((await limiter.take('noisy')).allowed).toBe(false);
  });

  it('keys buckets by instance in a pluggable store', async () => {
    const keys: string[] = [];
    const store: RateLimitStore = {
      async take(key) {
        keys.push(key);
        return { allowed: true, remaining: 0, retryAfterMs: 0 };
      },
    };
    await createToolRateLimiter({ capacity: 1, refillPerSecond: 1, store }).take('i-1');
    expect(keys).toEqual(['tool-calls:i-1']);
  });

  it('rejects invalid options', () => {
    expect(() => createToolRateLimiter({ capacity: 0.5, refillPerSecond: 1 })).toThrow(ConfigError);
    expect(() => createToolRateLimiter({ capacity: 5, refillPerSecond: 0 })).toThrow(ConfigError);
    expect(() => createToolRateLimiter({ capacity: Number.NaN, refillPerSecond: 1 })).toThrow(ConfigError);
    expect(() => createMemoryRateLimitStore({ maxKeys: 0 })).toThrow(ConfigError);
  });
});

describe('createMemoryRateLimitStore', () => {
  it('drops the least recently used bucket beyond maxKeys (it comes back full)', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 2 });
    const spec = { capacity: 1, refillPerSecond: 0.001 };
    expect((await store.take('a', spec, 0)).allowed).toBe(true);
    expect((await store.take('b', spec, 0)).allowed).toBe(true);
    expect((await store.take('a', spec, 0)).allowed).toBe(false);
    expect((await store.take('c', spec, 0)).allowed).toBe(true);
    expect((await store.take('b', spec, 0)).allowed).toBe(true);
    expect((await store.take('c', spec, 0)).allowed).toBe(false);
  });
});
