import { type Kysely, Migrator } from 'kysely';
import { StoreError } from '../errors/index.js';
import { storeMigrations } from './migrations.js';
import type { Database } from './schema.js';
import { sanitizeDriverError } from './store/driver-errors.js';

/** Name of the table that records applied migrations (kept apart from a host's own kysely migrations). */
export const MIGRATION_TABLE = 'mcp_oauth_migration';
/** Name of the migration lock table. */
export const MIGRATION_LOCK_TABLE = 'mcp_oauth_migration_lock';

/** Result of {@link migrateToLatest}. */
export interface MigrationSummary {
  /** Names of the migrations applied by this call, in order (empty when the schema was current). */
  applied: string[];
}

/**
 * Brings the schema to the latest version. Runs each migration in a transaction under kysely's migration
 * lock, so concurrent replicas starting together are safe. Works on PostgreSQL and PGlite.
 *
 * @throws StoreError `STORE_MIGRATION_FAILED` naming the failed migration (the driver error is the sanitised
 *   `cause`).
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
 * await migrateToLatest(db);
 * ```
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationSummary> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => storeMigrations() },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new StoreError(
      'STORE_MIGRATION_FAILED',
      failed === undefined ? 'Database migration failed' : `Database migration "${failed}" failed`,
      { cause: sanitizeDriverError(error) },
    );
  }
  return { applied: results.filter((result) => result.status === 'Success').map((r) => r.migrationName) };
}
