/**
 * Benchmark 3 — 100,000 instances in PostgreSQL.
 *
 * Seeds a throw-away database with `BENCH_SCALE_INSTANCES` (100,000) instances and their encrypted credentials
 * (every token encrypted with AES-256-GCM and bound to its column and instance, as the OAuth flow stores it;
 * ~1% of the refreshable tokens expire within the 5-minute margin), then measures:
 * - one expiration-monitor sweep, in a fresh child process with a no-op refresher that counts its calls
 *   (plus that process's RSS before and after);
 * - reference server start-up (apps/server/dist/cli.js, PORT=0) until the `listening` log line and until the
 *   first 200 from /health, and the server's RSS (VmRSS) when ready and 2 s later — without and, when
 *   reachable, with Redis. The server starts on the state a successful sweep leaves (nothing due).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import {
  createThrowAwayDatabase,
  databaseUrl,
  deleteRedisKeysOfInstances,
  probePostgres,
  probeRedis,
  redisUrl,
  skipLine,
} from './lib/env.mjs';
import {
  analyze,
  createBenchKeyRing,
  openPostgres,
  registerBenchServices,
  seedInstances,
} from './lib/fixture.mjs';
import { check, cleanupOnInterrupt, median, msSince, num, printTable, writeResult } from './lib/report.mjs';
import { measureServerStart } from './lib/server-start.mjs';

const INSTANCES = Number(process.env.BENCH_SCALE_INSTANCES ?? 100_000);
const SERVER_STARTS = Number(process.env.BENCH_SERVER_STARTS ?? 3);
const DEAD_UPSTREAM = 'http://127.0.0.1:9';
const REGISTER = fileURLToPath(new URL('./lib/register.mjs', import.meta.url));
const SWEEP_WORKER = fileURLToPath(new URL('./lib/sweep-worker.mjs', import.meta.url));

const token = (prefix, bytes) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/**
 * The population: half GitHub, half Google; 10% GitHub OAuth App tokens that never expire (no refresh token);
 * of the refreshable ones every 100th expires within the margin (due), the rest between 10 minutes and 24 hours
 * from now. Everything was used and refreshed recently, so nothing is idle.
 */
function population(now) {
  const rows = new Array(INSTANCES);
  let due = 0;
  for (let i = 0; i < INSTANCES; i++) {
    const neverExpires = i % 10 === 9;
    const isDue = !neverExpires && i % 100 === 0;
    if (isDue) due++;
    rows[i] = {
      instanceId: crypto.randomUUID(),
      serviceName: i % 2 === 0 ? 'github' : 'google',
      userId: `user-${i % 5_000}`,
      accessToken: token(i % 2 === 0 ? 'ghu_' : 'ya29.', 30),
      refreshToken: neverExpires ? null : token(i % 2 === 0 ? 'ghr_' : '1//', 60),
      expiresAt: neverExpires
        ? null
        : new Date(now + (isDue ? 30_000 + (i % 240) * 1_000 : 600_000 + (i % 1_430) * 60_000)),
      createdAt: new Date(now - (i % 30) * 86_400_000),
      lastUsedAt: new Date(now - (i % 3_600) * 1_000),
      lastRefreshAt: neverExpires ? null : new Date(now - (i % 3_600) * 1_000),
    };
  }
  return { rows, due };
}

/** Gives the tokens that were due a fresh hour, as the sweep's refreshes would have. */
async function settleDueTokens(url) {
  const db = await openPostgres(url, { migrate: false, name: 'mcp-bench-settle' });
  try {
    await sql`update mcp_credentials set expires_at = now() + interval '1 hour', version = version + 1
              where expires_at < now() + interval '10 minutes'`.execute(db.db);
  } finally {
    await db.close();
  }
}

/** Runs the sweep worker and returns its JSON report. */
function runSweepWorker(url) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', REGISTER, SWEEP_WORKER], {
      env: { ...process.env, BENCH_SWEEP_DATABASE_URL: url, BENCH_RESULT_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0)
        reject(
          new Error(`sweep worker exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`),
        );
      else resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

async function main() {
  const result = { name: 'scale', ok: false, instances: INSTANCES, skipped: [] };
  const baseUrl = databaseUrl();
  const probe = await probePostgres(baseUrl);
  if (!probe.ok) {
    const line = skipLine('100k-instance benchmark', 'PostgreSQL', baseUrl, probe.reason);
    console.log(line);
    result.skipped.push(line);
    result.ok = true;
    writeResult(result);
    return;
  }
  const cleanup = [];
  cleanupOnInterrupt(cleanup);
  try {
    const database = await createThrowAwayDatabase(baseUrl);
    cleanup.push(() => database.drop());
    const { keyRing, spec } = createBenchKeyRing();
    const pgdb = await openPostgres(database.url, { name: 'mcp-bench-seed' });
    cleanup.push(() => pgdb.close());
    await registerBenchServices(pgdb.store, ['github', 'google']);

    // Seeding.
    const now = Date.now();
    const { rows, due } = population(now);
    const seedStarted = process.hrtime.bigint();
    process.stdout.write(`seeding ${num(INSTANCES)} instances `);
    const seeding = await seedInstances(pgdb.db, keyRing, rows, {
      batchSize: 2_000,
      onProgress: (done) => {
        if (done % 20_000 === 0) process.stdout.write('.');
      },
    });
    await analyze(pgdb.db);
    const seedMs = msSince(seedStarted);
    console.log(' done');
    const seededIds = new Set(rows.map((row) => row.instanceId));
    rows.length = 0;
    await pgdb.close();
    cleanup.pop();
    result.seeding = { totalMs: seedMs, encryptMs: seeding.encryptMs, insertMs: seeding.insertMs, due };

    // Monitor sweep, in a fresh process.
    const sweep = await runSweepWorker(database.url);
    const [first] = sweep.runs;
    check(!first.summary.skipped, 'monitor: the first sweep was skipped (lease held)');
    for (const run of sweep.runs) {
      check(
        run.refreshCalls === due,
        `monitor: refresher called ${run.refreshCalls} times, expected ${due} due tokens`,
      );
    }
    result.sweep = sweep;

    // Server start-up, against the state a successful sweep leaves behind: the due tokens were refreshed (the
    // no-op refresher did not, so move their expiry out the way a refresh would).
    await settleDueTokens(database.url);
    const dataDir = mkdtempSync(join(tmpdir(), 'mcp-bench-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const serverEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: database.url,
      ENCRYPTION_KEYS: spec,
      ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      // The seeded instances are github/google ones: should the server call a provider for any of them (its
      // monitor, a revocation), the call must not leave the machine. Port 9 on loopback refuses at once.
      GITHUB_URL: DEAD_UPSTREAM,
      GITHUB_API_URL: `${DEAD_UPSTREAM}/api`,
      GOOGLE_AUTH_URL: `${DEAD_UPSTREAM}/auth`,
      GOOGLE_TOKEN_URL: `${DEAD_UPSTREAM}/token`,
      GOOGLE_REVOKE_URL: `${DEAD_UPSTREAM}/revoke`,
      GOOGLE_API_URL: `${DEAD_UPSTREAM}/api`,
    };
    const configs = [{ label: 'PostgreSQL', env: serverEnv }];
    const redis = redisUrl();
    const redisProbe = await probeRedis(redis);
    if (redisProbe.ok) {
      configs.push({ label: 'PostgreSQL + Redis', env: { ...serverEnv, REDIS_URL: redis } });
      // The server caches under its default namespace; remove exactly the entries of our instances.
      cleanup.push(async () => {
        result.redisKeysRemoved = await deleteRedisKeysOfInstances(redis, 'mcp-oauth:*', seededIds);
      });
    } else {
      const line = skipLine('server start-up with Redis', 'Redis', redis, redisProbe.reason);
      console.log(line);
      result.skipped.push(line);
    }
    result.server = [];
    for (const config of configs) {
      const starts = [];
      for (let i = 0; i < SERVER_STARTS; i++) starts.push(await measureServerStart(config.env));
      result.server.push({
        label: config.label,
        listeningMsMedian: median(starts.map((s) => s.listeningMs)),
        healthyMsMedian: median(starts.map((s) => s.healthyMs)),
        rssReadyMiBMedian: median(starts.map((s) => s.rssReadyMiB)),
        rssSettledMiBMedian: median(starts.map((s) => s.rssSettledMiB)),
        warmUpMsMedian: starts.every((s) => s.warmUpMs !== null)
          ? median(starts.map((s) => s.warmUpMs))
          : null,
        warmUpCounts: starts.at(-1).warmUpCounts,
        healthStatus: starts.at(-1).healthStatus,
        logWarnings: Math.max(...starts.map((s) => s.logWarnings)),
        logErrors: Math.max(...starts.map((s) => s.logErrors)),
        logMessages: [...new Set(starts.flatMap((s) => s.logMessages))],
        starts,
      });
    }

    const sweepMs = sweep.runs.map((run) => run.ms);
    printTable(
      `${num(INSTANCES)} instances in PostgreSQL (${num(due)} tokens due within 5 min)`,
      ['measurement', 'value'],
      [
        [
          'seeding (not part of any measurement)',
          `${num(seedMs / 1000, 1)} s (encrypt ${num(seeding.encryptMs / 1000, 1)} s, insert ${num(seeding.insertMs / 1000, 1)} s, analyze)`,
        ],
        [
          'monitor sweep, first',
          `${num(first.ms)} ms (${num(first.refreshCalls)} refreshes, ${num(first.statements)} statements)`,
        ],
        ['monitor sweep, median of all', `${num(median(sweepMs))} ms over ${sweep.runs.length} sweeps`],
        [
          'sweep process RSS before → after',
          `${num(sweep.before.rssMiB, 1)} → ${num(sweep.after.rssMiB, 1)} MiB (peak ${num(sweep.rssPeakMiB, 1)}; heap ${num(sweep.before.heapUsedMiB, 1)} → ${num(sweep.after.heapUsedMiB, 1)} MiB)`,
        ],
        ...result.server.flatMap((server) => [
          [
            `server start → "listening" (${server.label})`,
            `${num(server.listeningMsMedian)} ms (median of ${SERVER_STARTS})`,
          ],
          [
            `server start → first /health 200 (${server.label})`,
            `${num(server.healthyMsMedian)} ms, status ${server.healthStatus}`,
          ],
          [
            `server start → cache warm-up done (${server.label})`,
            server.warmUpMsMedian === null
              ? 'no warm-up log line'
              : `${num(server.warmUpMsMedian)} ms${server.warmUpCounts ? ` ${JSON.stringify(server.warmUpCounts)}` : ''}`,
          ],
          [
            `server RSS ready / ${server.warmUpMsMedian === null ? '+2 s' : 'warmed up'} (${server.label})`,
            `${num(server.rssReadyMiBMedian, 1)} / ${num(server.rssSettledMiBMedian, 1)} MiB`,
          ],
          [
            `server log warnings / errors (${server.label})`,
            `${server.logWarnings} / ${server.logErrors}${server.logMessages.length ? ` (${server.logMessages.join('; ')})` : ''}`,
          ],
        ]),
      ],
      { leftAligned: true },
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
    console.error(`\nFAILED scale: ${error.message}`);
    process.exit(1);
  },
);
