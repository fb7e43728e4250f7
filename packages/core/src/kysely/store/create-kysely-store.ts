import { type Kysely, sql } from 'kysely';
import { ConfigError } from '../../errors/index.js';
import type { Store } from '../../store/ports.js';
import type { Clock } from '../../util/types.js';
import type { Database } from '../schema.js';
import { createApiKeyStore } from './api-key-store.js';
import { createAuditStore } from './audit-store.js';
import { createCredentialStore } from './credential-store.js';
import { guard, toStoreError } from './driver-errors.js';
import { createInstanceStore } from './instance-store.js';
import { createLockContext, createLockStore, type LockContext, type LockingMode } from './locks.js';
import { createMonitorStore } from './monitor.js';
import { createServiceStore } from './service-store.js';
import { createStateStore } from './state-store.js';

/** Options of {@link createKyselyStore}. */
export interface KyselyStoreOptions {
  /**
   * Clock for `created_at` / `updated_at` columns the store assigns.
   * @default Date.now
   */
  now?: Clock;
  /**
   * How `locks.withLock` excludes other holders. `'advisory'`: PostgreSQL session advisory locks on a
   * dedicated pool connection — the authority across replicas. `'in-process'`: an in-process keyed mutex,
   * for single-session databases such as PGlite (holding PGlite's only session would deadlock `fn`);
   * **pass `'in-process'` with {@link createPGliteDialect}**.
   *
   * With `pg`, give checked-out clients an error listener (`pool.on('connect', (c) => c.on('error', log))`):
   * a lock session sits idle while `fn` runs, and `pg` emits a dropped connection on such a client, which
   * crashes Node without a listener. PostgreSQL releases the lock with the session.
   * @default 'advisory'
   */
  locking?: LockingMode;
  /**
   * Advisory mode: how many lock sessions (pool connections) this store holds at most at once. Keep it
   * below the pool size so lock holders always leave connections for their own work; more concurrent
   * `withLock` calls wait (within their `waitMs`).
   * @default 4
   */
  maxHeldLocks?: number;
}

function bind(db: Kysely<Database>, now: () => Date, inTransaction: boolean, locks: LockContext): Store {
  const context = { db, now };
  const store: Store = {
    services: createServiceStore(context),
    instances: createInstanceStore(context),
    credentials: createCredentialStore(context),
    states: createStateStore(context),
    apiKeys: createApiKeyStore(context),
    audit: createAuditStore(context),
    monitor: createMonitorStore(context),
    locks: createLockStore(locks, context),
    async transaction(fn) {
      // Already inside a transaction: join it, so helpers can open "their" transaction unconditionally.
      if (inTransaction) return fn(store);
      let callbackError: { error: unknown } | undefined;
      try {
        return await db.transaction().execute(async (trx) => {
          try {
            return await fn(bind(trx, now, true, locks));
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
 * - `monitor` pages by keyset over the partial indexes of migration 0002.
 * - `locks.withLock` uses advisory locks or an in-process mutex (option `locking`); leases live in
 *   `mcp_leases`. A Store bound to a transaction takes advisory locks on its own pool connection, never on
 *   the transaction's.
 * - Driver failures become `StoreError` (`STORE_UNAVAILABLE` for connection problems) with a sanitised
 *   `cause`; messages never contain parameter values.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString }) }) });
 * await migrateToLatest(db);
 * const store = createKyselyStore(db);
 * // Embedded PGlite: one session, so locks are in-process.
 * const local = createKyselyStore(new Kysely<Database>({ dialect: createPGliteDialect(pglite) }), {
 *   locking: 'in-process',
 * });
 * ```
 * @throws ConfigError `CONFIG_INVALID_OPTION` for an unknown `locking` mode or a bad `maxHeldLocks`.
 */
export function createKyselyStore(db: Kysely<Database>, options: KyselyStoreOptions = {}): Store {
  const clock = options.now ?? Date.now;
  const locking = options.locking ?? 'advisory';
  if (locking !== 'advisory' && locking !== 'in-process') {
    throw new ConfigError('locking', "must be 'advisory' or 'in-process'");
  }
  const maxHeldLocks = options.maxHeldLocks ?? 4;
  if (!Number.isInteger(maxHeldLocks) || maxHeldLocks < 1) {
    throw new ConfigError('maxHeldLocks', 'must be a positive integer');
  }
  return bind(db, () => new Date(clock()), db.isTransaction, createLockContext(db, locking, maxHeldLocks));
}
