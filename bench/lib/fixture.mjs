/**
 * Shared set-up of the benchmarks, all through the public API of the built packages: a key ring, PGlite or
 * PostgreSQL stores (with a query counter), a counting store proxy, a counting fetch, a provider definition for
 * the fake token endpoint, and a bulk seeder that writes instances and encrypted credentials.
 */
import { createKeyRing, generateKey, SECRET_COLUMNS } from '@org/mcp-oauth-core';
import { createKyselyStore, createPGliteDialect, migrateToLatest } from '@org/mcp-oauth-core/kysely';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** The OAuth client the fake token endpoint accepts (a made-up credential, used only on loopback). */
export const BENCH_CLIENT = { clientId: 'bench-client', clientSecret: 'bench-client-secret-not-a-real-one' };
export const BENCH_SERVICE = 'benchhub';

/** A fresh key ring with one random key; `spec` is the `ENCRYPTION_KEYS` form (never print it). */
export function createBenchKeyRing() {
  const key = { id: 'bench1', key: generateKey() };
  return { keyRing: createKeyRing([key]), spec: `${key.id}:${key.key}` };
}

/** Counts the statements a Kysely instance executes (kysely's `log` hook sees every one). */
export function createQueryCounter() {
  const counter = {
    queries: 0,
    log(event) {
      if (event.level === 'query' || event.level === 'error') counter.queries++;
    },
    reset() {
      counter.queries = 0;
    },
  };
  return counter;
}

/** In-memory PGlite, migrated, with the in-process lock mode PGlite needs. */
export async function openPGlite({ queryCounter } = {}) {
  // Imported here so processes that only use PostgreSQL do not load PGlite.
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create();
  const db = new Kysely({ dialect: createPGliteDialect(pglite), log: queryCounter?.log });
  await migrateToLatest(db);
  const store = createKyselyStore(db, { locking: 'in-process' });
  return {
    kind: 'pglite',
    db,
    store,
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** A PostgreSQL pool (error listeners as apps/server installs them), migrated, advisory lock mode. */
export async function openPostgres(
  url,
  { queryCounter, poolSize = 10, migrate = true, name = 'mcp-bench' } = {},
) {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: name });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely({ dialect: new PostgresDialect({ pool }), log: queryCounter?.log });
  if (migrate) await migrateToLatest(db);
  const store = createKyselyStore(db, { locking: 'advisory' });
  return { kind: 'postgres', db, store, close: () => db.destroy() };
}

const PORTS = ['services', 'instances', 'credentials', 'states', 'apiKeys', 'audit', 'monitor', 'locks'];

/**
 * Wraps every port of `store` in a Proxy that counts method calls (each is at least one database query),
 * plus `transaction` and `ping`. `calls` maps `port.method` to a count.
 */
export function countingStore(store) {
  const calls = new Map();
  const hit = (name) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const wrapped = { ...store };
  for (const port of PORTS) {
    wrapped[port] = new Proxy(store[port], {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args) => {
          hit(`${port}.${String(property)}`);
          return value.apply(target, args);
        };
      },
    });
  }
  wrapped.transaction = (fn) => {
    hit('transaction');
    return store.transaction(fn);
  };
  wrapped.ping = () => {
    hit('ping');
    return store.ping();
  };
  return {
    store: wrapped,
    calls,
    get total() {
      let total = 0;
      for (const count of calls.values()) total += count;
      return total;
    },
    reset: () => calls.clear(),
  };
}

/** A fetch that counts its calls before delegating (to `globalThis.fetch` unless `inner` is given). */
export function countingFetch(inner = globalThis.fetch) {
  const counter = {
    calls: 0,
    fetch: (input, init) => {
      counter.calls++;
      return inner(input, init);
    },
    reset() {
      counter.calls = 0;
    },
  };
  return counter;
}

/** A provider like GitHub Apps (expiring tokens, rotating single-use refresh tokens) at `origin`. */
export function benchProvider(origin) {
  return {
    id: BENCH_SERVICE,
    displayName: 'BenchHub',
    endpoints: {
      authorization: `${origin}/oauth/authorize`,
      token: `${origin}/oauth/token`,
      api: `${origin}/api`,
    },
    defaultScopes: ['read'],
    scopeSeparator: ' ',
    pkce: true,
    clientAuthentication: 'client_secret_post',
    tokensExpire: true,
    rotatesRefreshTokens: true,
    fetchIdentity: async () => ({ subject: '1', login: 'bench' }),
  };
}

/** Registers services in `mcp_table` (instances reference them). */
export async function registerBenchServices(store, names) {
  for (const name of names) {
    await store.services.upsertService({
      name,
      displayName: name,
      authType: 'oauth2',
      status: 'active',
      metadata: {},
    });
  }
}

const CONFIG_JSON = JSON.stringify({
  scopes: ['read'],
  readOnly: false,
  toolsets: null,
  clientId: null,
  clientSecretCiphertext: null,
});

/** Runs `fn` over `items` with at most `concurrency` promises pending; results in order. */
async function mapConcurrent(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i], i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

const iso = (date) => (date === null || date === undefined ? null : date.toISOString());

/** Encrypts both tokens of every row, bound to its column and instance exactly as the OAuth flow does. */
function sealBatch(keyRing, batch) {
  return mapConcurrent(batch, 64, async (row) => ({
    access: await keyRing.encrypt(row.accessToken, {
      ...SECRET_COLUMNS.accessToken,
      instanceId: row.instanceId,
    }),
    refresh:
      row.refreshToken === null
        ? null
        : await keyRing.encrypt(row.refreshToken, {
            ...SECRET_COLUMNS.refreshToken,
            instanceId: row.instanceId,
          }),
  }));
}

/** One INSERT … SELECT FROM unnest(…) per table: one array parameter per column, whatever the batch size. */
async function insertBatch(db, keyRing, batch, sealed, now) {
  const created = batch.map((row) => iso(row.createdAt ?? now));
  await sql`
    insert into mcp_service_table (instance_id, service_name, user_id, status, config, created_at, updated_at,
                                   last_used_at, oauth_completed_at)
    select id, service, owner, status, ${CONFIG_JSON}::jsonb, created, created, used, created
    from unnest(${batch.map((row) => row.instanceId)}::uuid[], ${batch.map((row) => row.serviceName)}::text[],
                ${batch.map((row) => row.userId ?? `user-${row.instanceId.slice(0, 8)}`)}::text[],
                ${batch.map((row) => row.status ?? 'active')}::text[], ${created}::timestamptz[],
                ${batch.map((row) => iso(row.lastUsedAt))}::timestamptz[])
         as t(id, service, owner, status, created, used)`.execute(db);
  await sql`
    insert into mcp_credentials (instance_id, access_token_ciphertext, refresh_token_ciphertext, key_id, token_type,
                                 granted_scopes, expires_at, version, refresh_attempts, last_refresh_at, updated_at)
    select id, access, refresh, ${keyRing.activeKeyId}, 'bearer', array['read'], expires, 1, 0, refreshed,
           coalesce(refreshed, created)
    from unnest(${batch.map((row) => row.instanceId)}::uuid[], ${sealed.map((s) => s.access)}::text[],
                ${sealed.map((s) => s.refresh)}::text[], ${batch.map((row) => iso(row.expiresAt))}::timestamptz[],
                ${batch.map((row) => iso(row.lastRefreshAt))}::timestamptz[], ${created}::timestamptz[])
         as t(id, access, refresh, expires, refreshed, created)`.execute(db);
}

/**
 * Writes `instances` (`{ instanceId, serviceName, userId?, status?, accessToken, refreshToken, expiresAt,
 * createdAt?, lastUsedAt?, lastRefreshAt? }`) with their credentials, each token encrypted with the key ring
 * and bound (AAD) to its column and instance exactly as the OAuth flow stores it. Batches of `batchSize` rows;
 * the next batch is encrypted while the previous one is inserted. Returns the busy time of each side.
 */
export async function seedInstances(db, keyRing, instances, { batchSize = 1_000, onProgress } = {}) {
  let encryptMs = 0;
  let insertMs = 0;
  const now = new Date();
  let inserting = Promise.resolve();
  for (let start = 0; start < instances.length; start += batchSize) {
    const batch = instances.slice(start, start + batchSize);
    const encryptStarted = performance.now();
    const sealed = await sealBatch(keyRing, batch);
    encryptMs += performance.now() - encryptStarted;
    await inserting;
    inserting = (async () => {
      const insertStarted = performance.now();
      await insertBatch(db, keyRing, batch, sealed, now);
      insertMs += performance.now() - insertStarted;
      onProgress?.(Math.min(start + batchSize, instances.length));
    })();
    // Handled when awaited above or below; this only keeps an early failure from being "unhandled".
    inserting.catch(() => {});
  }
  await inserting;
  return { encryptMs, insertMs };
}

/** Refreshes the planner statistics after a bulk load (PostgreSQL and PGlite). */
export async function analyze(db) {
  await sql`analyze mcp_service_table`.execute(db);
  await sql`analyze mcp_credentials`.execute(db);
}
