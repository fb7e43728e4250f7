import { createTestPool, createThrowAwayDatabase, type ThrowAwayDatabase } from '@org/mcp-oauth-testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKyselyStore, type Database, migrateToLatest } from '../src/kysely/index.js';
import { deferred } from './helpers/monitor-harness.js';

const DATABASE_URL = process.env.DATABASE_URL;

describe.skipIf(!DATABASE_URL)('advisory locks on PostgreSQL', () => {
  let database: ThrowAwayDatabase;
  const opened: Kysely<Database>[] = [];
  const open = (max: number) => {
    const pool = createTestPool(database.url, max);
    // A session terminated while idle-in-pool reports on the pool, one terminated while checked out (an
    // advisory-lock session waiting for its holder's fn) on the client: without listeners, Node would crash.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    database = await createThrowAwayDatabase(DATABASE_URL!);
    await migrateToLatest(open(1));
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    await database?.drop();
  });

  /** Holds `key` through `store` until `release()`; resolves once held. */
  async function hold(store: ReturnType<typeof createKyselyStore>, key: string) {
    const entered = deferred();
    const leave = deferred();
    const done = store.locks.withLock(key, { waitMs: 5_000 }, async () => {
      entered.resolve();
      await leave.promise;
      return 'held';
    });
    await entered.promise;
    return { release: () => leave.resolve(), done };
  }

  it('is released by PostgreSQL when the holding session dies', async () => {
    const a = createKyselyStore(open(3));
    const admin = open(1);
    const b = createKyselyStore(open(3));
    const key = `dies-${crypto.randomUUID()}`;
    const holder = await hold(a, key);
    expect(await b.locks.withLock(key, { waitMs: 0 }, async () => 1)).toEqual({ acquired: false });
    await sql`select pg_terminate_backend(pid) from pg_locks
              where locktype = 'advisory' and granted and pid <> pg_backend_pid()
                and database = (select oid from pg_database where datname = current_database())`.execute(
      admin,
    );
    expect(await b.locks.withLock(key, { waitMs: 5_000 }, async () => 2)).toEqual({
      acquired: true,
      value: 2,
    });
    holder.release();
    // fn completed on the pool; the failed unlock of the dead session is not the caller's problem.
    expect(await holder.done).toEqual({ acquired: true, value: 'held' });
  });

  it('restores lock_timeout on the session after a timed-out wait', async () => {
    const single = open(1);
    const waiter = createKyselyStore(single, { maxHeldLocks: 1 });
    const holderStore = createKyselyStore(open(2));
    const key = `timeout-${crypto.randomUUID()}`;
    const holder = await holderStore.locks.withLock(key, { waitMs: 0 }, async () =>
      waiter.locks.withLock(key, { waitMs: 60 }, async () => 'never'),
    );
    expect(holder).toEqual({ acquired: true, value: { acquired: false } });
    const { rows } = await sql<{ lock_timeout: string }>`show lock_timeout`.execute(single);
    expect(rows[0]?.lock_timeout).toBe('0');
  });

  it('holds at most maxHeldLocks sessions, leaving pool connections for the work of the holders', async () => {
    const db = open(3);
    const store = createKyselyStore(db, { maxHeldLocks: 2 });
    const first = await hold(store, `a-${crypto.randomUUID()}`);
    const second = await hold(store, `b-${crypto.randomUUID()}`);
    expect(await store.locks.withLock(`c-${crypto.randomUUID()}`, { waitMs: 30 }, async () => 1)).toEqual({
      acquired: false,
    });
    // The third pool connection is free for work while two locks are held.
    await expect(store.ping()).resolves.toBeUndefined();
    const third = store.locks.withLock(`c-${crypto.randomUUID()}`, { waitMs: 5_000 }, async () => 3);
    first.release();
    expect(await third).toEqual({ acquired: true, value: 3 });
    second.release();
    await Promise.all([first.done, second.done]);
  });

  it('maps an unreachable database to STORE_UNAVAILABLE', async () => {
    const pool = new pg.Pool({
      connectionString: 'postgres://x@127.0.0.1:1/none',
      connectionTimeoutMillis: 2_000,
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    opened.push(db);
    const store = createKyselyStore(db);
    await expect(store.locks.withLock('k', { waitMs: 0 }, async () => 1)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });
});
