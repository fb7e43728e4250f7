/**
 * `@org/mcp-oauth-core/kysely`: the kysely implementation of the core store ports, its schema and
 * migrations, and a dialect for embedded PGlite. `kysely` is an (optional) peer dependency of core; the
 * database driver (`pg` or `@electric-sql/pglite`) belongs to the host.
 *
 * @packageDocumentation
 */
export { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, type MigrationSummary, migrateToLatest } from './migrate.js';
export { storeMigrations } from './migrations.js';
export { createPGliteDialect, type PGliteLike } from './pglite-dialect.js';
export type {
  ApiKeyTable,
  AuditLogTable,
  CredentialTable,
  Database,
  InstanceConfigJson,
  InstanceTable,
  Jsonb,
  LeaseTable,
  NullableTimestamp,
  OAuthStateTable,
  ServiceTable,
  Timestamp,
} from './schema.js';
export { createKyselyStore, type KyselyStoreOptions } from './store/create-kysely-store.js';
export type { LockingMode } from './store/locks.js';
