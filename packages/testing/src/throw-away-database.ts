import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database created for one test file (see {@link createThrowAwayDatabase}). */
export interface ThrowAwayDatabase {
  /** Connection string of the new database (same server and user as the base URL). */
  readonly url: string;
  /** Name of the new database: the prefix plus 16 random hex digits. */
  readonly name: string;
  /** Drops it, forcing still-connected sessions out (`WITH (FORCE)`). Idempotent. */
  drop(): Promise<void>;
}

/** What a throw-away database name may start with: lower-case letters, digits and `_`, as a bare identifier. */
const PREFIX = /^[a-z_][a-z0-9_]{0,30}$/;

/** Runs one statement on a short-lived connection to `connectionString`. */
async function runOnce(connectionString: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates a throw-away database `<prefix><16 random hex digits>` on the server of `baseUrl` (e.g. `DATABASE_URL`)
 * and returns its URL plus a drop function. One per test file keeps PostgreSQL test files isolated.
 *
 * @param baseUrl - Connection string of an existing database on the server; its user must be allowed to create databases.
 * @param prefix - Start of the new database's name. @default 'mcp_t_'
 * @throws TypeError when `prefix` is not a bare lower-case identifier (it is interpolated into DDL).
 *
 * @example
 * ```ts
 * const database = await createThrowAwayDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'mcp_e2e_');
 * try {
 *   // … use database.url …
 * } finally {
 *   await database.drop();
 * }
 * ```
 */
export async function createThrowAwayDatabase(
  baseUrl: string,
  prefix = 'mcp_t_',
): Promise<ThrowAwayDatabase> {
  if (!PREFIX.test(prefix))
    throw new TypeError('throw-away database prefix must match /^[a-z_][a-z0-9_]{0,30}$/');
  // The name is the checked prefix plus hex, never input: safe to interpolate into DDL.
  const name = `${prefix}${randomBytes(8).toString('hex')}`;
  await runOnce(baseUrl, `create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    drop: () => runOnce(baseUrl, `drop database if exists ${name} with (force)`),
  };
}

/**
 * A pg pool for tests, with a listener for pool `error` events.
 *
 * Dropping a throw-away database `WITH (FORCE)` can terminate sessions that are still closing; pg then emits
 * `error` on the pool, and without a listener Node treats it as an uncaught exception (regression: CI failed
 * with 57P01 "terminating connection due to administrator command" after the monitor suite).
 *
 * @param connectionString - Usually {@link ThrowAwayDatabase.url}.
 * @param max - Maximum number of connections. @default 10
 */
export function createTestPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}
