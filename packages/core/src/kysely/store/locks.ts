import { type Kysely, sql } from 'kysely';
import { StoreError } from '../../errors/index.js';
import type { LockStore } from '../../store/ports.js';
import { createKeyedMutex, createSemaphore, type KeyedMutex, type Semaphore } from '../../util/semaphore.js';
import type { Database } from '../schema.js';
import type { StoreContext } from './context.js';
import { guard, sanitizeDriverError, toStoreError } from './driver-errors.js';

/** How {@link LockStore.withLock} excludes other holders. */
export type LockingMode = 'advisory' | 'in-process';

/** Namespace of our advisory lock keys, so they do not collide with a host's own advisory locks. */
const ADVISORY_PREFIX = 'mcp-oauth:';

/** SQLSTATEs of a lock wait cut short: `lock_timeout` (55P03) or `statement_timeout` (57014). */
const WAIT_TIMEOUT_CODES = new Set(['55P03', '57014']);

/** What the locks need from the store: the root database (never a transaction) and the mode. */
export interface LockContext {
  /** Root database: advisory locks take their own session from its pool. */
  root: Kysely<Database>;
  mode: LockingMode;
  /** Shared by every Store bound from one `createKyselyStore` call (in-process mode). */
  mutex: KeyedMutex;
  /** Bounds the pool connections held by advisory-lock sessions (advisory mode). */
  sessions: Semaphore;
}

/** Creates the state {@link createLockStore} shares across transaction-bound stores. */
export function createLockContext(
  root: Kysely<Database>,
  mode: LockingMode,
  maxHeldLocks: number,
): LockContext {
  return { root, mode, mutex: createKeyedMutex(), sessions: createSemaphore(maxHeldLocks) };
}

function assertLockArguments(key: string, waitMs: number): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new StoreError(
      'STORE_INVALID_INPUT',
      'lock key must be a non-empty string of at most 512 characters',
    );
  }
  if (typeof waitMs !== 'number' || Number.isNaN(waitMs) || waitMs < 0) {
    throw new StoreError('STORE_INVALID_INPUT', 'waitMs must be a number >= 0');
  }
}

function assertLeaseArguments(name: string, owner: string): void {
  for (const [field, value] of [
    ['lease name', name],
    ['lease owner', owner],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
      throw new StoreError(
        'STORE_INVALID_INPUT',
        `${field} must be a non-empty string of at most 200 characters`,
      );
    }
  }
}

function isWaitTimeout(error: unknown): boolean {
  const code = (sanitizeDriverError(error) as { code?: unknown }).code;
  return typeof code === 'string' && WAIT_TIMEOUT_CODES.has(code);
}

/**
 * Takes the advisory lock on the session `conn`: a non-blocking try first (the uncontended path is one round
 * trip), then a blocking `pg_advisory_lock` bounded by a session `lock_timeout` of the remaining wait.
 */
async function lockSession(conn: Kysely<Database>, key: string, waitMs: number): Promise<boolean> {
  const lockKey = ADVISORY_PREFIX + key;
  const tried = await sql<{ locked: boolean }>`
    select pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) as locked`.execute(conn);
  if (tried.rows[0]?.locked === true) return true;
  if (waitMs < 1) return false;
  // lock_timeout 0 waits forever (waitMs Infinity); PostgreSQL caps the setting at INT_MAX ms.
  const timeout = Number.isFinite(waitMs) ? `${Math.min(Math.ceil(waitMs), 2_147_483_647)}ms` : '0';
  await sql`select set_config('lock_timeout', ${timeout}, false)`.execute(conn);
  try {
    await sql`select pg_advisory_lock(hashtextextended(${lockKey}, 0))`.execute(conn);
    return true;
  } catch (error) {
    if (isWaitTimeout(error)) return false;
    throw error;
  } finally {
    await sql`reset lock_timeout`.execute(conn);
  }
}

async function unlockSession(conn: Kysely<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_unlock(hashtextextended(${ADVISORY_PREFIX + key}, 0))`.execute(conn);
}

async function withAdvisoryLock<T>(
  context: LockContext,
  key: string,
  waitMs: number,
  fn: () => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const deadline = Date.now() + waitMs;
  const releaseSession = await context.sessions.acquire(waitMs);
  if (releaseSession === null) return { acquired: false };
  let fnError: { error: unknown } | undefined;
  try {
    return await context.root.connection().execute(async (conn) => {
      if (!(await lockSession(conn, key, Math.max(0, deadline - Date.now()))))
        return { acquired: false } as const;
      try {
        return { acquired: true, value: await fn() } as const;
      } catch (error) {
        fnError = { error };
        throw error;
      } finally {
        // A failed unlock means the session is broken; PostgreSQL drops a session's advisory locks with it.
        await unlockSession(conn, key).catch(() => {});
      }
    });
  } catch (error) {
    // Errors of `fn` pass through untouched; failures to get a session or the lock become StoreErrors.
    if (fnError !== undefined && fnError.error === error) throw error;
    throw toStoreError(error, 'locks.withLock');
  } finally {
    releaseSession();
  }
}

async function withInProcessLock<T>(
  context: LockContext,
  key: string,
  waitMs: number,
  fn: () => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const release = await context.mutex.acquire(key, waitMs);
  if (release === null) return { acquired: false };
  try {
    return { acquired: true, value: await fn() };
  } finally {
    release();
  }
}

/**
 * {@link LockStore} over kysely.
 *
 * - `withLock`, mode `advisory` (PostgreSQL): takes a connection of its own from the pool and holds a
 *   session-level `pg_advisory_lock(hashtextextended('mcp-oauth:' || key, 0))` on it while `fn` runs; `fn`
 *   uses the ordinary pool. The lock is released with `pg_advisory_unlock` in `finally`; if the process or
 *   the connection dies, PostgreSQL releases it with the session. The wait is one `pg_try_advisory_lock`,
 *   then a blocking `pg_advisory_lock` under a `lock_timeout` of the remaining `waitMs` (real time).
 *   At most `maxHeldLocks` sessions are held at once per store, so lock holders can never take every pool
 *   connection and starve their own `fn`.
 * - `withLock`, mode `in-process` (PGlite, single process): an in-process keyed mutex shared by the stores
 *   bound from one `createKyselyStore` call. PGlite has one session, so holding it would deadlock `fn`.
 * - Leases: one atomic `INSERT … ON CONFLICT (name) DO UPDATE … WHERE owner matches or the lease expired`.
 *   Expiry uses the caller's `now`, so replicas should have roughly synchronised clocks (skew shortens or
 *   lengthens a takeover by the skew).
 */
export function createLockStore(context: LockContext, { db }: StoreContext): LockStore {
  return {
    async withLock(key, options, fn) {
      assertLockArguments(key, options.waitMs);
      return context.mode === 'advisory'
        ? withAdvisoryLock(context, key, options.waitMs, fn)
        : withInProcessLock(context, key, options.waitMs, fn);
    },

    tryLease: (name, owner, now, ttlMs) =>
      guard('locks.tryLease', async () => {
        assertLeaseArguments(name, owner);
        if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
          throw new StoreError('STORE_INVALID_INPUT', 'ttlMs must be a positive number');
        }
        const expiresAt = new Date(now.getTime() + ttlMs);
        // One statement decides: a concurrent insert waits on the unique index, then re-checks the WHERE
        // against the winner's row.
        const row = await db
          .insertInto('mcp_leases')
          .values({ name, owner, expires_at: expiresAt })
          .onConflict((oc) =>
            oc
              .column('name')
              .doUpdateSet({
                owner: (eb) => eb.ref('excluded.owner'),
                expires_at: (eb) => eb.ref('excluded.expires_at'),
              })
              .where((eb) =>
                eb.or([
                  eb('mcp_leases.owner', '=', eb.ref('excluded.owner')),
                  eb('mcp_leases.expires_at', '<=', now),
                ]),
              ),
          )
          .returning('owner')
          .executeTakeFirst();
        return row?.owner === owner;
      }),

    releaseLease: (name, owner) =>
      guard('locks.releaseLease', async () => {
        assertLeaseArguments(name, owner);
        await db.deleteFrom('mcp_leases').where('name', '=', name).where('owner', '=', owner).execute();
      }),
  };
}
