import { afterAll, beforeAll, describe } from 'vitest';
import { defineApiKeyAndAuditTests } from './store-suite/api-keys-audit.js';
import { defineCredentialTests } from './store-suite/credentials.js';
import { type StoreSuiteFactory, type StoreSuiteHarness, unique } from './store-suite/fixtures.js';
import { defineLockTests } from './store-suite/locks.js';
import { defineMonitorTests } from './store-suite/monitor.js';
import { defineServiceAndInstanceTests } from './store-suite/services-instances.js';
import { defineStateTests } from './store-suite/states.js';
import { defineTransactionTests } from './store-suite/transactions.js';

export type { StoreSuiteFactory, StoreSuiteHarness } from './store-suite/fixtures.js';

/**
 * Conformance suite for an implementation of core's `Store` ports: every port method, optimistic
 * concurrency (10 concurrent saves → one winner), single-use states (20 concurrent consumes → one
 * `consumed`), transactions (commit, rollback, nesting), cascade delete, keyset paging, the monitor's
 * queries (paging order and filters), locks (mutual exclusion, timeouts, release on throw — across two
 * stores when the harness offers `openSecondStore`) and leases (expiry, renewal, takeover, release).
 *
 * `factory` is called once (in `beforeAll`); tests share the database and never assume other tests' rows
 * are absent. Errors are checked by `code`, so the suite works whichever copy of core threw them.
 *
 * @example
 * ```ts
 * storeSuite('kysely on PGlite', async () => {
 *   const pglite = await PGlite.create();
 *   const db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
 *   await migrateToLatest(db);
 *   const store = createKyselyStore(db, { locking: 'in-process' });
 *   return { store, dumpAllTables: () => dump(db), close: () => pglite.close() };
 * });
 * ```
 */
export function storeSuite(name: string, factory: StoreSuiteFactory): void {
  describe(`Store conformance: ${name}`, () => {
    let harness: StoreSuiteHarness | undefined;
    const ctx = {
      harness(): StoreSuiteHarness {
        if (harness === undefined) throw new Error('store suite harness is not ready (factory failed?)');
        return harness;
      },
      serviceA: unique('svc_a'),
      serviceB: unique('svc_b'),
    };

    beforeAll(async () => {
      harness = await factory();
      for (const service of [ctx.serviceA, ctx.serviceB]) {
        await harness.store.services.upsertService({
          name: service,
          displayName: service,
          authType: 'oauth2',
          status: 'active',
          metadata: {},
        });
      }
    });

    afterAll(async () => {
      await harness?.close();
    });

    defineServiceAndInstanceTests(ctx);
    defineCredentialTests(ctx);
    defineStateTests(ctx);
    defineApiKeyAndAuditTests(ctx);
    defineTransactionTests(ctx);
    defineMonitorTests(ctx);
    defineLockTests(ctx);
  });
}
