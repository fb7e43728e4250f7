/**
 * Benchmark 1 — cache-hit `getAccessToken`.
 *
 * 1,000 instances with tokens valid for two hours are read round-robin through `createTokenManager` after one
 * priming read each. The measured phase (after a warm-up) must make zero database queries and zero upstream
 * calls: the store is wrapped in a counting Proxy, kysely's query log counts statements, and the OAuth flow's
 * fetch counts (and refuses) every call. Baselines in the same run: an async `Map.get` of a prepared token
 * (memory) and a raw Redis `GET` of the very value the cache stores (Redis).
 */
import { randomBytes } from 'node:crypto';
import { cacheKeyOf, createTokenCache } from '@org/mcp-oauth-cache';
import { createRedisTokenCache } from '@org/mcp-oauth-cache/redis';
import { createOAuthFlow, createTokenManager } from '@org/mcp-oauth-core';
import { createClient } from '@redis/client';
import { probeRedis, redact, redisUrl, skipLine } from './lib/env.mjs';
import {
  BENCH_CLIENT,
  BENCH_SERVICE,
  benchProvider,
  countingFetch,
  countingStore,
  createBenchKeyRing,
  createQueryCounter,
  openPGlite,
  registerBenchServices,
  seedInstances,
} from './lib/fixture.mjs';
import {
  check,
  cleanupOnInterrupt,
  latencies,
  num,
  printTable,
  throughput,
  writeResult,
} from './lib/report.mjs';

const INSTANCES = 1_000;
const MEMORY_CALLS = Number(process.env.BENCH_MEMORY_CALLS ?? 200_000);
const REDIS_CALLS = Number(process.env.BENCH_REDIS_CALLS ?? 50_000);
/** The in-process keyv row decrypts on every call (AES-GCM through WebCrypto): fewer calls suffice. */
const DECRYPT_CALLS = Number(process.env.BENCH_DECRYPT_CALLS ?? 20_000);
const CONCURRENCY = 64;

async function main() {
  const result = {
    name: 'cache-hit',
    ok: false,
    instances: INSTANCES,
    concurrency: CONCURRENCY,
    skipped: [],
    rows: [],
  };
  const cleanup = [];
  cleanupOnInterrupt(cleanup);
  try {
    const { keyRing } = createBenchKeyRing();
    const queryCounter = createQueryCounter();
    const database = await openPGlite({ queryCounter });
    cleanup.push(() => database.close());
    const counting = countingStore(database.store);
    const upstream = countingFetch(async () => {
      throw new Error('no upstream call is expected in this benchmark');
    });
    await registerBenchServices(database.store, [BENCH_SERVICE]);
    const expiresAt = new Date(Date.now() + 2 * 3_600_000);
    const seeded = Array.from({ length: INSTANCES }, (_, i) => ({
      instanceId: crypto.randomUUID(),
      serviceName: BENCH_SERVICE,
      accessToken: `bench-at-${i}-${randomBytes(20).toString('hex')}`,
      refreshToken: `bench-rt-${i}-${randomBytes(20).toString('hex')}`,
      expiresAt,
    }));
    await seedInstances(database.db, keyRing, seeded);
    const ids = seeded.map((row) => row.instanceId);
    const flow = createOAuthFlow({
      store: counting.store,
      keyRing,
      providers: [benchProvider('http://127.0.0.1:9')],
      defaultClients: { [BENCH_SERVICE]: BENCH_CLIENT },
      callbackUrl: () => 'http://127.0.0.1:9/callback',
      fetch: upstream.fetch,
      allowInsecureRequests: true,
    });
    const managerWith = (cache) => createTokenManager({ flow, store: counting.store, keyRing, cache });

    /**
     * Primes (one read per instance: database allowed), verifies every token, warms up, then measures with all
     * counters reset; fails unless the manager rows made no query and no upstream call and only had hits.
     */
    async function measure({ label, call, calls, manager, baseline }) {
      if (manager !== undefined) {
        for (let i = 0; i < INSTANCES; i++) {
          const token = await call(i);
          check(token.accessToken === seeded[i].accessToken, `${label}: wrong token for instance #${i}`);
        }
        for (let i = 0; i < INSTANCES; i++) {
          check((await call(i)).accessToken === seeded[i].accessToken, `${label}: wrong cached token`);
        }
      }
      await throughput(call, Math.min(calls, 10_000), 1);
      queryCounter.reset();
      counting.reset();
      upstream.reset();
      const before = manager?.stats().cache;
      const single = await throughput(call, calls, 1);
      const parallel = await throughput(call, calls, CONCURRENCY);
      const latency = await latencies(call, calls);
      const row = {
        label,
        baseline: baseline === undefined,
        calls,
        opsPerSec: single.opsPerSec,
        opsPerSecConcurrent: parallel.opsPerSec,
        ...latency,
        dbQueries: queryCounter.queries,
        storeCalls: counting.total,
        upstreamCalls: upstream.calls,
      };
      if (baseline !== undefined) {
        row.vsBaseline = baseline.opsPerSec / row.opsPerSec;
        row.p50VsBaseline = row.p50Us / baseline.p50Us;
        const after = manager.stats().cache;
        row.cacheHits = after.hits - before.hits;
        row.cacheMisses = after.misses - before.misses;
        check(
          row.dbQueries === 0,
          `${label}: ${row.dbQueries} database queries in the measured phase (expected 0)`,
        );
        check(
          row.storeCalls === 0,
          `${label}: ${row.storeCalls} store calls in the measured phase (expected 0)`,
        );
        check(
          row.upstreamCalls === 0,
          `${label}: ${row.upstreamCalls} upstream calls in the measured phase (expected 0)`,
        );
        check(
          row.cacheMisses === 0 && row.cacheHits === 3 * calls,
          `${label}: ${row.cacheMisses} cache misses`,
        );
      }
      result.rows.push({ group: baseline === undefined ? 'baseline' : 'manager', ...row });
      return row;
    }

    const printGroup = (title, rows) =>
      printTable(
        title,
        [
          'scenario',
          'calls',
          'ops/s 1 caller',
          `ops/s ${CONCURRENCY} callers`,
          'p50 µs',
          'p99 µs',
          'time × baseline',
          'DB queries',
          'upstream calls',
        ],
        rows.map((row) => [
          row.label,
          num(row.calls),
          num(row.opsPerSec),
          num(row.opsPerSecConcurrent),
          num(row.p50Us, 2),
          num(row.p99Us, 2),
          row.vsBaseline === undefined ? '1.0' : num(row.vsBaseline, 1),
          row.vsBaseline === undefined ? '–' : `${row.dbQueries} (store calls ${row.storeCalls})`,
          row.vsBaseline === undefined ? '–' : String(row.upstreamCalls),
        ]),
      );

    // Memory.
    const memoryRows = [];
    const prepared = new Map(
      seeded.map((row) => [row.instanceId, { accessToken: row.accessToken, expiresAt }]),
    );
    const mapGet = async (id) => prepared.get(id);
    const mapBaseline = await measure({
      label: 'Map.get (async), baseline',
      call: (i) => mapGet(ids[i % INSTANCES]),
      calls: MEMORY_CALLS,
    });
    memoryRows.push(mapBaseline);
    const lruCache = createTokenCache({ keyRing });
    cleanup.push(() => lruCache.close());
    const lruManager = managerWith(lruCache);
    memoryRows.push(
      await measure({
        label: 'getAccessToken, memory cache (LRU hit)',
        call: (i) => lruManager.getAccessToken(ids[i % INSTANCES]),
        calls: MEMORY_CALLS,
        manager: lruManager,
        baseline: mapBaseline,
      }),
    );
    const keyvCache = createTokenCache({ keyRing, lruMaxEntries: 1 });
    cleanup.push(() => keyvCache.close());
    const keyvManager = managerWith(keyvCache);
    memoryRows.push(
      await measure({
        label: 'getAccessToken, memory keyv (LRU miss: decrypt)',
        call: (i) => keyvManager.getAccessToken(ids[i % INSTANCES]),
        calls: DECRYPT_CALLS,
        manager: keyvManager,
        baseline: mapBaseline,
      }),
    );
    printGroup(
      `Cache-hit getAccessToken, in-process (${num(INSTANCES)} instances round-robin; PGlite store, untouched while measuring)`,
      memoryRows,
    );

    // Redis.
    const url = redisUrl();
    const probe = await probeRedis(url);
    if (!probe.ok) {
      const line = skipLine('cache-hit with Redis', 'Redis', url, probe.reason);
      console.log(`\n${line}`);
      result.skipped.push(line);
    } else {
      const namespace = `mcp-bench-${randomBytes(4).toString('hex')}`;
      const sharedCache = createRedisTokenCache({ url, keyRing, namespace, lruMaxEntries: 1 });
      const localCache = createRedisTokenCache({ url, keyRing, namespace });
      cleanup.push(async () => {
        await sharedCache.emergencyCacheClear(BENCH_SERVICE).catch(() => {});
        await sharedCache.close();
        await localCache.close();
      });
      await Promise.all([sharedCache.connected(), localCache.connected()]);
      const sharedManager = managerWith(sharedCache);
      const localManager = managerWith(localCache);
      // Prime through the shared cache first so the raw GET baseline finds the stored values.
      for (let i = 0; i < INSTANCES; i++) await sharedManager.getAccessToken(ids[i]);
      const raw = createClient({ url });
      raw.on('error', () => {});
      await raw.connect();
      cleanup.push(() => raw.close());
      const keys = ids.map((instanceId) => cacheKeyOf({ serviceName: BENCH_SERVICE, instanceId }, namespace));
      const sizes = await Promise.all(keys.map((key) => raw.strLen(key)));
      check(
        sizes.every((size) => size > 0),
        'Redis baseline: the cache key layout changed (stored value not found)',
      );
      const valueBytes = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
      result.redisValueBytes = valueBytes;
      const redisRows = [];
      const getBaseline = await measure({
        label: `Redis GET (raw, ${valueBytes} B value), baseline`,
        call: (i) => raw.get(keys[i % INSTANCES]),
        calls: REDIS_CALLS,
      });
      redisRows.push(getBaseline);
      redisRows.push(
        await measure({
          label: 'getAccessToken, Redis cache (LRU miss: GET + decrypt)',
          call: (i) => sharedManager.getAccessToken(ids[i % INSTANCES]),
          calls: REDIS_CALLS,
          manager: sharedManager,
          baseline: getBaseline,
        }),
      );
      redisRows.push(
        await measure({
          label: 'getAccessToken, Redis cache (LRU hit)',
          call: (i) => localManager.getAccessToken(ids[i % INSTANCES]),
          calls: REDIS_CALLS,
          manager: localManager,
          baseline: getBaseline,
        }),
      );
      printGroup(`Cache-hit getAccessToken, Redis at ${redact(url)}`, redisRows);
    }
    console.log(
      '\nDB queries and upstream calls were counted over the whole measured phase (3 passes per row): all 0.',
    );
    result.ok = true;
  } finally {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
    writeResult(result);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\nFAILED cache-hit: ${error.message}`);
    process.exit(1);
  },
);
