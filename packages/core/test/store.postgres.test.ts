import {
  createTestPool,
  createThrowAwayDatabase,
  storeSuite,
  type ThrowAwayDatabase,
} from '@org/mcp-oauth-testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKyselyStore, type Database, migrateToLatest } from '../src/kysely/index.js';
import { dumpAllTables } from './helpers/kysely-harness.js';

const DATABASE_URL = process.env.DATABASE_URL;

describe.skipIf(!DATABASE_URL)('kysely store on PostgreSQL', () => {
  let database: ThrowAwayDatabase;
  let db: Kysely<Database>;
  const ready = DATABASE_URL
    ? (async () => {
        database = await createThrowAwayDatabase(DATABASE_URL);
        db = new Kysely<Database>({
          dialect: new PostgresDialect({ pool: createTestPool(database.url, 10) }),
        });
        await migrateToLatest(db);
      })()
    : Promise.resolve();

  storeSuite('kysely on PostgreSQL', async () => {
    await ready;
    return {
      store: createKyselyStore(db),
      dumpAllTables: () => dumpAllTables(db),
      close: async () => {},
      // Another replica: its own pool on the same database.
      async openSecondStore() {
        const other = new Kysely<Database>({
          dialect: new PostgresDialect({ pool: createTestPool(database.url, 10) }),
        });
        return { store: createKyselyStore(other), close: () => other.destroy() };
      },
    };
  });

  describe('PostgreSQL specifics', () => {
    beforeAll(() => ready);
    afterAll(async () => {
      await db?.destroy();
      await database?.drop();
    });

    it('migrations are idempotent, also when replicas start together', async () => {
      expect(await migrateToLatest(db)).toEqual({ applied: [] });
      await expect(Promise.all([migrateToLatest(db), migrateToLatest(db)])).resolves.toEqual([
        { applied: [] },
        { applied: [] },
      ]);
      const { rows } = await sql<{ name: string }>`select name from mcp_oauth_migration`.execute(db);
      expect(rows.map((r) => r.name)).toEqual(['0001_initial', '0002_monitor_and_leases']);
    });

    it('applies the schema on a fresh database concurrently without errors', async () => {
      const fresh = await createThrowAwayDatabase(DATABASE_URL!);
      const replicas = [0, 1, 2].map(
        () =>
          new Kysely<Database>({
            dialect: new PostgresDialect({ pool: createTestPool(fresh.url, 2) }),
          }),
      );
      try {
        const results = await Promise.all(replicas.map((replica) => migrateToLatest(replica)));
        expect(results.flatMap((r) => r.applied)).toEqual(['0001_initial', '0002_monitor_and_leases']);
      } finally {
        await Promise.all(replicas.map((replica) => replica.destroy()));
        await fresh.drop();
      }
    });

    it('maps an unreachable server to STORE_UNAVAILABLE without leaking the connection string', async () => {
      const unreachable = new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({
            connectionString: 'postgres://someone:pw-secret-value@127.0.0.1:1/nowhere',
            connectionTimeoutMillis: 2_000,
          }),
        }),
      });
      try {
        const store = createKyselyStore(unreachable);
        const error = await store.ping().catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE' });
        const cause = (error as Error).cause as Error;
        const text = JSON.stringify({ m: (error as Error).message, c: cause, cm: cause.message });
        expect(text).not.toContain('pw-secret-value');
        expect(text).toContain('ECONNREFUSED');
        const tx = await store.transaction(async () => 1).catch((e: unknown) => e);
        expect(tx).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      } finally {
        await unreachable.destroy();
      }
    });

    it('keeps parameter values out of constraint-violation messages', async () => {
      const store = createKyselyStore(db);
      const error = await store.services
        .upsertService({
          name: 'svc-secret-value',
          displayName: 'x',
          authType: 'oauth2',
          status: 'bogus' as 'active',
          metadata: {},
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'STORE_INVALID_INPUT' });
      const cause = (error as Error).cause as Error;
      expect(JSON.stringify({ m: (error as Error).message, c: cause, cm: cause.message })).not.toContain(
        'svc-secret-value',
      );
    });
  });
});
