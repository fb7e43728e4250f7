import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import type { TokenCache } from '../../src/index.js';
import { defineBasicTests } from './basics.js';
import { type CacheSuiteFactory, type CacheSuiteHarness, worldFactory } from './context.js';
import { defineInvalidationTests } from './invalidation.js';
import { defineSyncTests } from './sync.js';

export type { CacheSuiteFactory, CacheSuiteHarness, ReplicaOptions } from './context.js';

/**
 * Conformance suite of the token cache: get/set, version ordering, TTLs with an injected clock, the LRU bound,
 * encryption at rest (checked on the raw stored value), every invalidation function with its verification,
 * cross-replica invalidation (two replicas on one store), cleanup, database sync and warm-up.
 * Every test runs in its own namespace of the harness's store.
 */
export function tokenCacheSuite(name: string, factory: CacheSuiteFactory): void {
  describe(`token cache conformance: ${name}`, () => {
    let harness: CacheSuiteHarness | undefined;
    const opened = new Set<TokenCache>();
    const world = worldFactory(() => {
      if (harness === undefined) throw new Error('cache suite harness is not ready (factory failed?)');
      return harness;
    }, opened);

    beforeAll(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      await Promise.all([...opened].map((cache) => cache.close()));
      opened.clear();
    });
    afterAll(async () => {
      await harness?.close();
    });

    const ctx = { world };
    defineBasicTests(ctx);
    defineInvalidationTests(ctx);
    defineSyncTests(ctx);
  });
}
