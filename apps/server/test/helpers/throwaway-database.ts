import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database created for one test file. */
export interface ThrowawayDatabase {
  /** `DATABASE_URL` of the new database (same server and user as the base URL). */
  url: string;
  name: string;
  /** Drops it, disconnecting whoever is still connected. Idempotent. */
  drop(): Promise<void>;
}

async function run(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `${prefix}<random hex>` on the server of `baseUrl` (e.g. `DATABASE_URL`). */
export async function createThrowawayDatabase(
  baseUrl: string,
  prefix = 'mcp_e2e_',
): Promise<ThrowawayDatabase> {
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  // The name is ours (prefix + hex), never input: safe to interpolate into DDL.
  await run(baseUrl, `create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    drop: () => run(baseUrl, `drop database if exists ${name} with (force)`),
  };
}
