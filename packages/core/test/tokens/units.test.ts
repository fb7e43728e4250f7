import { describe, expect, it } from 'vitest';
import { createKeyRing, generateKey } from '../../src/crypto/key-ring.js';
import { ConfigError } from '../../src/errors/index.js';
import type { OAuthFlow } from '../../src/oauth/types.js';
import type { CredentialRecord, Store } from '../../src/store/ports.js';
import { createBoundedMap } from '../../src/tokens/bounded-map.js';
import { createTokenEvents } from '../../src/tokens/events.js';
import { resolveTokenManagerOptions, type TokenManagerOptions } from '../../src/tokens/options.js';
import { createSingleFlight } from '../../src/tokens/single-flight.js';
import { backoffDelay, createThrottle } from '../../src/tokens/throttle.js';
import type { Logger } from '../../src/util/types.js';

const flow = { providers: new Map(), refreshTokens: async () => ({}) } as unknown as OAuthFlow;
const store = { locks: { withLock: async () => ({ acquired: false }) } } as unknown as Store;
const keyRing = createKeyRing([{ id: 'k1', key: generateKey() }]);

function configError(options: Partial<TokenManagerOptions>): ConfigError {
  try {
    resolveTokenManagerOptions({ flow, store, keyRing, ...options } as TokenManagerOptions);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('createTokenManager options', () => {
  it('applies the documented defaults', () => {
    const deps = resolveTokenManagerOptions({ flow, store, keyRing });
    expect(deps).toMatchObject({
      refreshMarginMs: 300_000,
      lockWaitMs: 15_000,
      lockTtlMs: 30_000,
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 30_000 },
      instanceBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 },
      backoff: { baseMs: 1_000, maxMs: 300_000 },
      locks: store.locks,
    });
  });

  it.each([
    [{ flow: undefined }, 'flow'],
    [{ flow: {} as OAuthFlow }, 'flow'],
    [{ store: undefined }, 'store'],
    [{ store: {} as Store }, 'store.locks'],
    [{ keyRing: undefined }, 'keyRing'],
    [{ cache: { get: async () => undefined } as never }, 'cache'],
    [{ fastLock: {} as never }, 'fastLock'],
    [{ refreshMarginMs: -1 }, 'refreshMarginMs'],
    [{ lockWaitMs: Number.NaN }, 'lockWaitMs'],
    [{ lockTtlMs: 0 }, 'lockTtlMs'],
    [{ breaker: { consecutiveFailures: 0 } }, 'breaker.consecutiveFailures'],
    [{ breaker: { halfOpenAfterMs: 0 } }, 'breaker.halfOpenAfterMs'],
    [{ instanceBreaker: { consecutiveFailures: 1.5 } }, 'instanceBreaker.consecutiveFailures'],
    [{ backoff: { baseMs: 0 } }, 'backoff.baseMs'],
    [{ backoff: { baseMs: 5_000, maxMs: 1_000 } }, 'backoff.maxMs'],
    [{ now: 5 as never }, 'now'],
    [{ random: 'x' as never }, 'random'],
  ] as Array<[Partial<TokenManagerOptions>, string]>)('rejects %j naming "%s"', (options, option) => {
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.code).toBe('CONFIG_INVALID_OPTION');
  });
});

describe('token events', () => {
  it('delivers typed events in order; off and the returned unsubscribe remove listeners', () => {
    const events = createTokenEvents();
    const seen: string[] = [];
    const first = (event: { instanceId: string }) => void seen.push(`a:${event.instanceId}`);
    events.on('needs_reauth', first);
    const stop = events.on('needs_reauth', (event) => void seen.push(`b:${event.reason}`));
    events.emit('needs_reauth', { instanceId: 'i1', serviceName: 's', reason: 'r1' });
    events.off('needs_reauth', first);
    stop();
    events.emit('needs_reauth', { instanceId: 'i2', serviceName: 's', reason: 'r2' });
    expect(seen).toEqual(['a:i1', 'b:r1']);
  });

  it('isolates throwing and rejecting listeners and logs them', async () => {
    const logged: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (fields, message) => void logged.push(`${message}:${String(fields.event)}`),
    };
    const events = createTokenEvents({ logger });
    const seen: string[] = [];
    events.on('breaker_open', () => {
      throw new Error('listener bug');
    });
    events.on('breaker_open', async () => {
      throw new Error('async listener bug');
    });
    events.on('breaker_open', (event) => void seen.push(event.serviceName));
    expect(() => events.emit('breaker_open', { serviceName: 'github', scope: 'provider' })).not.toThrow();
    await Promise.resolve();
    expect(seen).toEqual(['github']);
    expect(logged).toEqual([
      'token event listener failed:breaker_open',
      'token event listener failed:breaker_open',
    ]);
  });
});

describe('backoff and throttle', () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };
  const credential = (attempts: number, updatedAt: number): CredentialRecord =>
    ({ refreshAttempts: attempts, updatedAt: new Date(updatedAt) }) as CredentialRecord;

  it('doubles from baseMs up to maxMs', () => {
    expect([0, 1, 2, 3, 6, 7, 100].map((n) => backoffDelay(backoff, n))).toEqual([
      0, 1_000, 2_000, 4_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('waits at least half the delay after a persisted failure, and the jittered delay in process', () => {
    let now = 10_000;
    let random = 0;
    const throttle = createThrottle({ now: () => now, random: () => random, backoff });
    expect(throttle.waitMs('i', 'c', credential(0, now))).toBe(0);
    expect(throttle.waitMs('i', 'c', credential(3, now))).toBe(2_000);
    random = 0.999;
    expect(throttle.failed('i', 'c', 3, undefined)).toBe(3_998);
    expect(throttle.waitMs('i', 'c', credential(3, now))).toBe(3_998);
    now += 3_998;
    expect(throttle.waitMs('i', 'c', credential(3, now - 3_998))).toBe(0);
    throttle.failed('i', 'c', 1, undefined);
    throttle.succeeded('i');
    expect(throttle.waitMs('i', 'c', credential(0, now))).toBe(0);
  });

  it('a Retry-After gates the instance and every instance of the same client', () => {
    let now = 0;
    const throttle = createThrottle({ now: () => now, random: () => 0, backoff });
    expect(throttle.failed('i1', 'svc:client', 1, 45_000)).toBe(45_000);
    expect(throttle.waitMs('i2', 'svc:client', credential(0, 0))).toBe(45_000);
    expect(throttle.waitMs('i3', 'svc:other', credential(0, 0))).toBe(0);
    now = 45_000;
    expect(throttle.waitMs('i2', 'svc:client', credential(0, 0))).toBe(0);
  });
});

describe('single flight and bounded map', () => {
  it('shares one running call per key and starts a new one afterwards', async () => {
    let joins = 0;
    const flight = createSingleFlight<number>(() => joins++);
    let started = 0;
    let release: (value: number) => void = () => {};
    const fn = () => {
      started++;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    };
    const both = Promise.all([flight.run('k', fn), flight.run('k', fn)]);
    expect(flight.has('k')).toBe(true);
    release(7);
    expect(await both).toEqual([7, 7]);
    expect(flight.size).toBe(0);
    const failing = flight.run('k', async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect([started, joins, flight.has('k')]).toEqual([1, 1, false]);
  });

  it('forgets the least recently used entry beyond its bound', () => {
    const map = createBoundedMap<number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([1, undefined, 3]);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
  });
});
