import type { KeyRing } from '@org/mcp-oauth-core';
import { cacheKeyOf, type TokenCache, type TokenCacheOptions } from '../../src/index.js';
import { type ManualClock, manualClock, randomId, testKeyRing } from '../helpers/fixtures.js';

/** What a replica of the cache under test may be configured with. */
export interface ReplicaOptions
  extends Pick<
    TokenCacheOptions,
    'now' | 'lruMaxEntries' | 'lruTtlMs' | 'storeTtlMs' | 'onInvalidationMessage' | 'logger' | 'scheduler'
  > {
  namespace: string;
  keyRing: KeyRing;
}

/** One implementation under test. Replicas share the physical store; namespaces keep tests apart. */
export interface CacheSuiteHarness {
  /** A new cache ("replica") on the shared store, with invalidations reaching the other replicas. */
  createReplica(options: ReplicaOptions): TokenCache;
  /** The raw stored string of a store key, read without the cache (undefined when absent). */
  rawValue(storeKey: string): Promise<string | undefined>;
  /** Writes a raw value under a store key, bypassing the cache. */
  writeRaw(storeKey: string, value: string): Promise<void>;
  /** Deletes a store key, bypassing the cache (and its invalidation messages). */
  deleteRaw(storeKey: string): Promise<void>;
  /** Namespaces of this harness start with it (the harness removes them on close). */
  namespacePrefix: string;
  close(): Promise<void>;
}

export type CacheSuiteFactory = () => Promise<CacheSuiteHarness>;

/** One test's isolated world: its namespace, clock, key ring and service names. */
export interface World {
  namespace: string;
  clock: ManualClock;
  keyRing: KeyRing;
  service: string;
  otherService: string;
  replica(overrides?: Partial<ReplicaOptions>): TokenCache;
  storeKey(key: { serviceName: string; instanceId: string }): string;
  harness: CacheSuiteHarness;
}

/** Shared by the suite's parts. */
export interface SuiteContext {
  world(): World;
}

/** Builds a world factory over a harness; replicas are tracked so the suite can close them. */
export function worldFactory(harness: () => CacheSuiteHarness, opened: Set<TokenCache>): () => World {
  let counter = 0;
  return () => {
    const h = harness();
    counter++;
    const namespace = `${h.namespacePrefix}-t${counter}`;
    const clock = manualClock();
    const keyRing = testKeyRing();
    const world: World = {
      namespace,
      clock,
      keyRing,
      service: `svc_${randomId()}`,
      otherService: `svc_${randomId()}`,
      harness: h,
      replica(overrides = {}) {
        const cache = h.createReplica({ namespace, keyRing, now: clock.now, ...overrides });
        opened.add(cache);
        return cache;
      },
      storeKey: (key) => cacheKeyOf(key, namespace),
    };
    return world;
  };
}
