import pg from 'pg';

/** A database created for one test file. */
export interface ThrowAwayDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Drops it (forcing other sessions out). */
  drop(): Promise<void>;
}

/** Creates a throw-away database next to `baseUrl`'s (`mcp_t_<random>`) and returns its URL plus a drop function. */
export async function createThrowAwayDatabase(baseUrl: string): Promise<ThrowAwayDatabase> {
  const name = `mcp_t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A pg pool for tests. Dropping a throw-away database `WITH (FORCE)` can terminate sessions that are still
 * closing; pg then emits `error` on the pool, and without a listener Node treats it as an uncaught exception
 * (regression: CI failed with 57P01 "terminating connection due to administrator command" after the monitor suite).
 */
export function createTestPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}
