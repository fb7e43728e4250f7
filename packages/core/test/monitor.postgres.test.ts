import { createTestPool, createThrowAwayDatabase } from '@org/mcp-oauth-testing';
import { Kysely, PostgresDialect } from 'kysely';
import { describe } from 'vitest';
import { createKyselyStore, type Database, migrateToLatest } from '../src/kysely/index.js';
import { defineMonitorScenarios } from './helpers/monitor-scenarios.js';

const DATABASE_URL = process.env.DATABASE_URL;

describe.skipIf(!DATABASE_URL)('monitor on PostgreSQL', () => {
  defineMonitorScenarios('PostgreSQL, two replicas with their own pools', async () => {
    const database = await createThrowAwayDatabase(DATABASE_URL!);
    const open = () =>
      new Kysely<Database>({
        dialect: new PostgresDialect({ pool: createTestPool(database.url, 10) }),
      });
    const db = open();
    const other = open();
    await migrateToLatest(db);
    const clock = { now: Date.parse('2030-01-01T00:00:00.000Z') };
    return {
      db,
      clock,
      store: createKyselyStore(db, { now: () => clock.now }),
      otherStore: createKyselyStore(other, { now: () => clock.now }),
      async close() {
        await Promise.all([db.destroy(), other.destroy()]);
        await database.drop();
      },
    };
  });
});
