/**
 * Benchmark 2 — refresh storm.
 *
 * An instance whose access token expired a minute ago receives 1,000 concurrent `getAccessToken` calls; the
 * provider is a real HTTP token endpoint on 127.0.0.1 (bench/lib/fake-token-endpoint.mjs) with rotating,
 * single-use refresh tokens that takes `BENCH_UPSTREAM_DELAY_MS` (50) to answer. Exactly one refresh grant may
 * reach it and every caller must get the newly issued token. Scenarios: one manager on PGlite, one on
 * PostgreSQL, two managers on PostgreSQL with a pool each (two replicas, 500 calls each), and the same two
 * replicas sharing a Redis cache and Redis fast lock. Each scenario runs `BENCH_STORM_ROUNDS` (5) rounds on
 * a fresh instance.
 */
import { randomBytes } from 'node:crypto';
import { createTokenCache } from '@org/mcp-oauth-cache';
import { createRedisLock, createRedisTokenCache } from '@org/mcp-oauth-cache/redis';
import { createOAuthFlow, createTokenManager } from '@org/mcp-oauth-core';
import {
  createThrowAwayDatabase,
  databaseUrl,
  probePostgres,
  probeRedis,
  redisUrl,
  skipLine,
} from './lib/env.mjs';
import { startFakeTokenEndpoint } from './lib/fake-token-endpoint.mjs';
import {
  BENCH_CLIENT,
  BENCH_SERVICE,
  benchProvider,
  countingFetch,
  createBenchKeyRing,
  createQueryCounter,
  openPGlite,
  openPostgres,
  registerBenchServices,
  seedInstances,
} from './lib/fixture.mjs';
import {
  cleanupOnInterrupt,
  median,
  msSince,
  num,
  percentile,
  printTable,
  writeResult,
} from './lib/report.mjs';

const CALLS = 1_000;
const ROUNDS = Number(process.env.BENCH_STORM_ROUNDS ?? 5);
const UPSTREAM_DELAY_MS = Number(process.env.BENCH_UPSTREAM_DELAY_MS ?? 50);

async function main() {
  const result = {
    name: 'refresh-storm',
    ok: false,
    calls: CALLS,
    rounds: ROUNDS,
    upstreamDelayMs: UPSTREAM_DELAY_MS,
    skipped: [],
    rows: [],
  };
  const cleanup = [];
  cleanupOnInterrupt(cleanup);
  const failures = [];
  try {
    const { keyRing } = createBenchKeyRing();
    const upstream = await startFakeTokenEndpoint({ client: BENCH_CLIENT, delayMs: UPSTREAM_DELAY_MS });
    cleanup.push(() => upstream.close());
    const provider = benchProvider(upstream.origin);
    const queries = createQueryCounter();

    /** One replica: its own store (pool), flow, fetch counter, cache and token manager. */
    const replica = ({ store, cache, fastLock }) => {
      const fetchCounter = countingFetch();
      const flow = createOAuthFlow({
        store,
        keyRing,
        providers: [provider],
        defaultClients: { [BENCH_SERVICE]: BENCH_CLIENT },
        callbackUrl: () => `${upstream.origin}/callback`,
        fetch: fetchCounter.fetch,
        allowInsecureRequests: true,
      });
      return { fetchCounter, manager: createTokenManager({ flow, store, keyRing, cache, fastLock }) };
    };

    /** Seeds an instance whose token expired a minute ago, with a live refresh token. */
    const seedExpired = async (db) => {
      const pair = upstream.issue();
      const instanceId = crypto.randomUUID();
      await seedInstances(db, keyRing, [
        {
          instanceId,
          serviceName: BENCH_SERVICE,
          accessToken: pair.accessToken,
          refreshToken: pair.refreshToken,
          expiresAt: new Date(Date.now() - 60_000),
        },
      ]);
      return instanceId;
    };

    /** Runs the rounds of one scenario: `replicas` share the CALLS evenly, all at once. */
    async function storm(label, db, replicas) {
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++) {
        const instanceId = await seedExpired(db);
        upstream.resetCounters();
        queries.reset();
        for (const r of replicas) r.fetchCounter.reset();
        const perReplica = CALLS / replicas.length;
        const settledAt = new Float64Array(CALLS);
        const started = process.hrtime.bigint();
        const outcomes = await Promise.allSettled(
          Array.from({ length: CALLS }, (_, i) =>
            replicas[Math.floor(i / perReplica)].manager.getAccessToken(instanceId).finally(() => {
              settledAt[i] = msSince(started);
            }),
          ),
        );
        const wallMs = msSince(started);
        settledAt.sort();
        const issued = upstream.lastIssued.accessToken;
        const failed = outcomes.filter((o) => o.status === 'rejected');
        const tokens = new Set(
          outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value.accessToken),
        );
        rounds.push({
          wallMs,
          p50Ms: percentile(settledAt, 50),
          refreshGrants: upstream.counters.refreshGrants,
          upstreamFetches: replicas.reduce((sum, r) => sum + r.fetchCounter.calls, 0),
          failed: failed.length,
          firstError: failed[0]?.reason?.code ?? failed[0]?.reason?.name,
          distinctTokens: tokens.size,
          gotNewToken: tokens.size === 1 && tokens.has(issued),
          dbQueries: queries.queries,
        });
      }
      const row = {
        label,
        replicas: replicas.length,
        callsPerReplica: CALLS / replicas.length,
        wallMsMedian: median(rounds.map((r) => r.wallMs)),
        wallMsMax: Math.max(...rounds.map((r) => r.wallMs)),
        p50MsMedian: median(rounds.map((r) => r.p50Ms)),
        refreshGrantsPerRound: rounds.map((r) => r.refreshGrants),
        upstreamFetchesPerRound: rounds.map((r) => r.upstreamFetches),
        failedCalls: rounds.reduce((sum, r) => sum + r.failed, 0),
        allGotNewToken: rounds.every((r) => r.gotNewToken),
        dbQueriesMedian: median(rounds.map((r) => r.dbQueries)),
        rounds,
      };
      result.rows.push(row);
      const firstError = rounds.find((r) => r.firstError)?.firstError;
      if (!rounds.every((r) => r.refreshGrants === 1 && r.upstreamFetches === 1)) {
        failures.push(
          `${label}: upstream refresh calls per round ${row.refreshGrantsPerRound.join(',')} (must be 1)`,
        );
      }
      if (row.failedCalls > 0) failures.push(`${label}: ${row.failedCalls} calls failed (${firstError})`);
      if (!row.allGotNewToken) failures.push(`${label}: not every caller got the newly issued token`);
      return row;
    }

    const rows = [];
    // PGlite, one manager.
    const lite = await openPGlite({ queryCounter: queries });
    cleanup.push(() => lite.close());
    await registerBenchServices(lite.store, [BENCH_SERVICE]);
    rows.push(
      await storm('PGlite, 1 manager × 1,000 calls', lite.db, [
        replica({ store: lite.store, cache: createTokenCache({ keyRing }) }),
      ]),
    );
    await lite.close();

    // PostgreSQL.
    const baseUrl = databaseUrl();
    const pgProbe = await probePostgres(baseUrl);
    if (!pgProbe.ok) {
      const line = skipLine('refresh storm on PostgreSQL', 'PostgreSQL', baseUrl, pgProbe.reason);
      console.log(line);
      result.skipped.push(line);
    } else {
      const database = await createThrowAwayDatabase(baseUrl);
      cleanup.push(() => database.drop());
      const first = await openPostgres(database.url, { queryCounter: queries, name: 'mcp-bench-replica-1' });
      cleanup.push(() => first.close());
      await registerBenchServices(first.store, [BENCH_SERVICE]);
      const second = await openPostgres(database.url, {
        queryCounter: queries,
        migrate: false,
        name: 'mcp-bench-replica-2',
      });
      cleanup.push(() => second.close());
      rows.push(
        await storm('PostgreSQL, 1 manager × 1,000 calls', first.db, [
          replica({ store: first.store, cache: createTokenCache({ keyRing }) }),
        ]),
      );
      rows.push(
        await storm('PostgreSQL, 2 managers (2 pools) × 500 calls', first.db, [
          replica({ store: first.store, cache: createTokenCache({ keyRing }) }),
          replica({ store: second.store, cache: createTokenCache({ keyRing }) }),
        ]),
      );
      const url = redisUrl();
      const redisProbe = await probeRedis(url);
      if (!redisProbe.ok) {
        const line = skipLine('refresh storm on PostgreSQL + Redis', 'Redis', url, redisProbe.reason);
        console.log(line);
        result.skipped.push(line);
      } else {
        const namespace = `mcp-bench-${randomBytes(4).toString('hex')}`;
        const redisReplica = async (store) => {
          const cache = createRedisTokenCache({ url, keyRing, namespace });
          const fastLock = createRedisLock({ url, keyPrefix: `${namespace}:lock` });
          cleanup.push(async () => {
            await cache.emergencyCacheClear(BENCH_SERVICE).catch(() => {});
            await cache.close();
            await fastLock.close();
          });
          await Promise.all([cache.connected(), fastLock.connected()]);
          return replica({ store, cache, fastLock });
        };
        rows.push(
          await storm('PostgreSQL + Redis cache and lock, 2 managers × 500 calls', first.db, [
            await redisReplica(first.store),
            await redisReplica(second.store),
          ]),
        );
      }
    }

    printTable(
      `Refresh storm: ${num(CALLS)} concurrent getAccessToken on an expired token, rotating refresh tokens, upstream answers in ${UPSTREAM_DELAY_MS} ms (${ROUNDS} rounds each)`,
      [
        'scenario',
        'wall ms (median)',
        'wall ms (max)',
        'p50 caller ms',
        'upstream refresh calls',
        'failed calls',
        'DB queries / storm',
      ],
      rows.map((row) => [
        row.label,
        num(row.wallMsMedian, 1),
        num(row.wallMsMax, 1),
        num(row.p50MsMedian, 1),
        row.refreshGrantsPerRound.join(' '),
        String(row.failedCalls),
        num(row.dbQueriesMedian),
      ]),
    );
    if (failures.length > 0) throw new Error(failures.join('; '));
    console.log('\nEvery round: exactly 1 upstream refresh call, every caller got the newly issued token.');
    result.ok = true;
  } finally {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
    writeResult(result);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\nFAILED refresh-storm: ${error.message}`);
    process.exit(1);
  },
);
