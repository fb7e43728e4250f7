import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '../src/kysely/index.js';
import { defineMonitorScenarios } from './helpers/monitor-scenarios.js';

defineMonitorScenarios('PGlite', async () => {
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
  await migrateToLatest(db);
  const clock = { now: Date.parse('2030-01-01T00:00:00.000Z') };
  // One session: both "replicas" share the store (and its in-process locks); the lease still decides.
  const store = createKyselyStore(db, { now: () => clock.now, locking: 'in-process' });
  return {
    db,
    clock,
    store,
    otherStore: store,
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
});
