import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Clock, Logger, Store } from '@org/mcp-oauth-core';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '@org/mcp-oauth-core/kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** `postgres://…`, or `null` for embedded PGlite under `dataDir/pglite`. */
  databaseUrl: string | null;
  dataDir: string;
  logger: Logger;
  /** Run pending migrations before returning. @default true */
  migrate?: boolean;
  /** Maximum PostgreSQL connections of this process. @default 10 */
  poolSize?: number;
  /** Server-side limit of one statement. @default 15_000 */
  statementTimeoutMs?: number;
  /** Clock for the timestamps the store assigns. @default Date.now */
  now?: Clock;
}

/** An open database with its store. */
export interface OpenDatabase {
  db: Kysely<Database>;
  store: Store;
  kind: 'postgres' | 'pglite';
  /** Closes the pool or the embedded database. Idempotent. */
  close(): Promise<void>;
}

function postgres(
  options: OpenDatabaseOptions,
  url: string,
): { db: Kysely<Database>; closeExtra: () => Promise<void> } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // pg-pool uses this both to connect and to wait for a free client. A burst of requests must queue, not fail
    // (regression: the two-process refresh storm saw 503s under CI load with 5 s); a down database still fails at
    // once with ECONNREFUSED.
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    application_name: 'mcp-oauth-server',
  });
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  // So does a checked-out client between queries, e.g. the session holding a refresh lock while the
  // refresh runs; PostgreSQL releases the lock with the session and the pool drops the client.
  pool.on('connect', (client) =>
    client.on('error', (error) => options.logger.warn({ err: error }, 'PostgreSQL connection failed')),
  );
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), closeExtra: async () => {} };
}

async function pglite(
  options: OpenDatabaseOptions,
): Promise<{ db: Kysely<Database>; closeExtra: () => Promise<void> }> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const directory = join(dataDir, 'pglite');
  const instance = new PGlite(directory);
  await instance.waitReady;
  options.logger.info({ dataDir: directory }, 'embedded PGlite database opened');
  return {
    db: new Kysely<Database>({ dialect: createPGliteDialect(instance) }),
    closeExtra: async () => {
      if (!instance.closed) await instance.close();
    },
  };
}

/**
 * Opens PostgreSQL (with `databaseUrl`) or embedded PGlite, runs migrations and returns the kysely store.
 *
 * @example
 * ```ts
 * const database = await openDatabase({ databaseUrl: null, dataDir: './.data', logger });
 * await database.store.ping();
 * await database.close();
 * ```
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenDatabase> {
  const kind = options.databaseUrl ? 'postgres' : 'pglite';
  const { db, closeExtra } = options.databaseUrl
    ? postgres(options, options.databaseUrl)
    : await pglite(options);
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= db.destroy().finally(closeExtra);
    return closing;
  };
  try {
    if (options.migrate ?? true) {
      await migrateToLatest(db);
      options.logger.info({ database: kind }, 'database migrations applied');
    }
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  // PGlite has a single session: locks must be in-process (advisory-lock sessions would deadlock).
  const store = createKyselyStore(db, {
    now: options.now,
    locking: kind === 'pglite' ? 'in-process' : 'advisory',
  });
  return { db, store, kind, close };
}
