import { type Kysely, sql } from 'kysely';
import type { Store } from '../../store/ports.js';
import type { Clock } from '../../util/types.js';
import type { Database } from '../schema.js';
import { createApiKeyStore } from './api-key-store.js';
import { createAuditStore } from './audit-store.js';
import { createCredentialStore } from './credential-store.js';
import { guard, toStoreError } from './driver-errors.js';
import { createInstanceStore } from './instance-store.js';
import { createServiceStore } from './service-store.js';
import { createStateStore } from './state-store.js';

/** Options of {@link createKyselyStore}. */
export interface KyselyStoreOptions {
  /**
   * Clock for `created_at` / `updated_at` columns the store assigns.
   * @default Date.now
   */
  now?: Clock;
}

function bind(db: Kysely<Database>, now: () => Date, inTransaction: boolean): Store {
  const context = { db, now };
  const store: Store = {
    services: createServiceStore(context),
    instances: createInstanceStore(context),
    credentials: createCredentialStore(context),
    states: createStateStore(context),
    apiKeys: createApiKeyStore(context),
    audit: createAuditStore(context),
    async transaction(fn) {
      // Already inside a transaction: join it, so helpers can open "their" transaction unconditionally.
      if (inTransaction) return fn(store);
      let callbackError: { error: unknown } | undefined;
      try {
        return await db.transaction().execute(async (trx) => {
          try {
            return await fn(bind(trx, now, true));
          } catch (error) {
            callbackError = { error };
            throw error;
          }
        });
      } catch (error) {
        // The callback's own errors pass through untouched; BEGIN/COMMIT failures become StoreErrors.
        if (callbackError !== undefined && callbackError.error === error) throw error;
        throw toStoreError(error, 'transaction');
      }
    },
    ping: () =>
      guard('ping', async () => {
        await sql`select 1`.execute(db);
      }),
  };
  return store;
}

/**
 * The {@link Store} ports over a kysely database (PostgreSQL through `pg`, or PGlite through
 * {@link createPGliteDialect}). Run {@link migrateToLatest} first.
 *
 * - `credentials.saveCredential` checks `version` optimistically (`STORE_CONFLICT`).
 * - `states.consumeState` is a single atomic `UPDATE … WHERE consumed_at IS NULL RETURNING *`.
 * - `transaction(fn)` hands `fn` a Store bound to the transaction; calling `transaction` on that Store joins
 *   it. On PGlite, use only the Store passed to `fn` inside it (the single session is held by the transaction).
 * - `listInstances` pages by keyset on `(created_at, instance_id)` with an opaque cursor.
 * - Lookups by an instance id that is not a UUID find nothing; writes with one fail with `STORE_INVALID_INPUT`.
 * - Driver failures become `StoreError` (`STORE_UNAVAILABLE` for connection problems) with a sanitised
 *   `cause`; messages never contain parameter values.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString }) }) });
 * await migrateToLatest(db);
 * const store = createKyselyStore(db);
 * ```
 */
export function createKyselyStore(db: Kysely<Database>, options: KyselyStoreOptions = {}): Store {
  const clock = options.now ?? Date.now;
  return bind(db, () => new Date(clock()), db.isTransaction);
}
