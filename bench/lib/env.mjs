/**
 * Services the benchmarks may use: PostgreSQL (`DATABASE_URL`) and Redis (`REDIS_URL`), with local defaults,
 * reachability probes and a throw-away database per run. URLs are printed with their password masked.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** `DATABASE_URL`, or the local default. */
export function databaseUrl() {
  return process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
}

/** `REDIS_URL`, or the local default. */
export function redisUrl() {
  return process.env.REDIS_URL?.trim() || DEFAULT_REDIS_URL;
}

/** The URL with user info reduced to the user name (never print a password). */
export function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}

/** A short, secret-free reason for a failed connection. */
function reasonOf(error) {
  const code = error?.code ?? error?.cause?.code;
  return typeof code === 'string' ? code : (error?.name ?? 'Error');
}

/** `{ ok: true }` when `SELECT 1` works within 3 s, else `{ ok: false, reason }`. */
export async function probePostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** `{ ok: true }` when `PING` works within 3 s, else `{ ok: false, reason }`. */
export async function probeRedis(url) {
  const client = createClient({ url, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  } finally {
    try {
      if (client.isOpen) await client.close();
      else client.destroy();
    } catch {
      // not connected
    }
  }
}

/** The line printed when a benchmark part is skipped because a service is unreachable. */
export function skipLine(what, service, url, reason) {
  return `SKIPPED ${what}: ${service} unreachable at ${redact(url)} (${reason})`;
}

/**
 * Creates `mcp_bench_<random>` on the server of `baseUrl` and returns its URL and a `drop()` that forces
 * other sessions out. Databases of this name are never created by anything else.
 */
export async function createThrowAwayDatabase(baseUrl) {
  const name = `mcp_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
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
 * Deletes the keys matching `pattern` whose last `:`-separated part is one of `instanceIds` — the entries a
 * server started by the benchmark cached for the benchmark's own instances, and nothing else. Returns the count.
 */
export async function deleteRedisKeysOfInstances(url, pattern, instanceIds) {
  const client = createClient({ url, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    let deleted = 0;
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1_000 })) {
      const ours = keys.filter((key) => instanceIds.has(key.slice(key.lastIndexOf(':') + 1)));
      if (ours.length > 0) deleted += await client.del(ours);
    }
    return deleted;
  } finally {
    await client.close();
  }
}
