import { PGlite } from '@electric-sql/pglite';
import { storeSuite } from '@org/mcp-oauth-testing';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
  type PGliteLike,
} from '../src/kysely/index.js';
import { dumpAllTables } from './helpers/kysely-harness.js';

// One PGlite per file (2-3 s to start): the conformance suite and the dialect tests share it.
let pglite: PGlite;
let db: Kysely<Database>;
const ready = (async () => {
  pglite = await PGlite.create();
  db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
  await migrateToLatest(db);
})();

storeSuite('kysely on PGlite', async () => {
  await ready;
  return {
    store: createKyselyStore(db, { locking: 'in-process' }),
    dumpAllTables: () => dumpAllTables(db),
    close: async () => {},
  };
});

describe('PGlite dialect', () => {
  beforeAll(() => ready);
  afterAll(async () => {
    await db.destroy();
    await pglite.close();
  });

  it('migrations are idempotent and recorded in their own table', async () => {
    expect(await migrateToLatest(db)).toEqual({ applied: [] });
    const { rows } = await sql<{ name: string }>`select name from mcp_oauth_migration`.execute(db);
    expect(rows.map((r) => r.name)).toEqual(['0001_initial', '0002_monitor_and_leases']);
  });

  it('serialises concurrent transactions: their statements never interleave', async () => {
    const log: string[] = [];
    const run = (name: string) =>
      db.transaction().execute(async (trx) => {
        log.push(`${name}:begin`);
        for (let i = 0; i < 3; i++) {
          await sql`select ${i}::int as i`.execute(trx);
          log.push(`${name}:${i}`);
        }
        log.push(`${name}:end`);
      });
    await Promise.all([run('A'), run('B'), run('C')]);
    const groups = ['A', 'B', 'C'].map((n) => [`${n}:begin`, `${n}:0`, `${n}:1`, `${n}:2`, `${n}:end`]);
    for (const group of groups) {
      const start = log.indexOf(group[0]!);
      expect(log.slice(start, start + 5)).toEqual(group);
    }
  });

  it('makes a query outside a transaction wait until the transaction ends', async () => {
    const store = createKyselyStore(db);
    const log: string[] = [];
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const tx = store.transaction(async (txStore) => {
      inside();
      await txStore.ping();
      log.push('tx:ping');
      await txStore.ping();
      log.push('tx:end');
    });
    await entered;
    const outside = store.ping().then(() => log.push('outside'));
    await Promise.all([tx, outside]);
    expect(log).toEqual(['tx:ping', 'tx:end', 'outside']);
  });

  it('reports affected rows of updates and deletes', async () => {
    await sql`create temporary table affected (n int)`.execute(db);
    await sql`insert into affected values (1), (2), (3)`.execute(db);
    const { rows } = await sql<{ n: number }>`select n from affected order by n`.execute(db);
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const trx = db.withTables<{ affected: { n: number } }>();
    expect(
      (await trx.updateTable('affected').set({ n: 9 }).where('n', '>', 1).executeTakeFirst()).numUpdatedRows,
    ).toBe(2n);
    expect((await trx.deleteFrom('affected').executeTakeFirst()).numDeletedRows).toBe(3n);
  });

  it('maps driver failures to STORE_UNAVAILABLE without parameter values', async () => {
    const failing: PGliteLike = {
      query: async () => {
        throw Object.assign(new Error('connection lost while running query with "secret-token-value"'), {
          code: '08006',
          params: ['secret-token-value'],
          query: 'select $1',
        });
      },
    };
    const broken = new Kysely<Database>({ dialect: createPGliteDialect(failing) });
    const store = createKyselyStore(broken);
    const error = await store.ping().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE' });
    const cause = (error as Error).cause;
    const serialised = JSON.stringify({
      message: (error as Error).message,
      cause,
      causeMessage: (cause as Error).message,
    });
    expect(serialised).not.toContain('secret-token-value');
    expect(serialised).toContain('08006');
    const lookup = await store.credentials.getCredential(crypto.randomUUID()).catch((e: unknown) => e);
    expect(lookup).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    const tx = await store.transaction(async () => 1).catch((e: unknown) => e);
    expect(tx).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('fails migrations with STORE_MIGRATION_FAILED', async () => {
    const failing: PGliteLike = {
      query: async () => {
        throw Object.assign(new Error('boom'), { code: '57P01' });
      },
    };
    const broken = new Kysely<Database>({ dialect: createPGliteDialect(failing) });
    await expect(migrateToLatest(broken)).rejects.toMatchObject({ code: 'STORE_MIGRATION_FAILED' });
  });
});
