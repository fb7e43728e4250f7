/**
 * Child process of bench/scale.mjs: opens the store on `BENCH_SWEEP_DATABASE_URL` like a fresh replica would
 * and runs `BENCH_SWEEPS` expiration-monitor sweeps with a no-op refresher that counts its calls. Prints one
 * JSON line: sweep times, refresher calls, statements per sweep, and this process's RSS before and after.
 * Started with `--expose-gc` so RSS is read after a collection.
 */
import { createExpirationMonitor } from '@org/mcp-oauth-core';
import { createQueryCounter, openPostgres } from './fixture.mjs';
import { msSince, rssMiB } from './report.mjs';

const url = process.env.BENCH_SWEEP_DATABASE_URL;
const sweeps = Number(process.env.BENCH_SWEEPS ?? 3);

const memory = () => {
  globalThis.gc?.();
  return { rssMiB: rssMiB(), heapUsedMiB: process.memoryUsage().heapUsed / 1024 / 1024 };
};

const queries = createQueryCounter();
const database = await openPostgres(url, { queryCounter: queries, migrate: false, name: 'mcp-bench-sweep' });
try {
  await database.store.ping();
  const before = memory();
  let refreshCalls = 0;
  const monitor = createExpirationMonitor({
    store: database.store,
    tokens: {
      async refresh() {
        refreshCalls++;
      },
    },
  });
  const runs = [];
  let rssPeakMiB = before.rssMiB;
  for (let i = 0; i < sweeps; i++) {
    refreshCalls = 0;
    queries.reset();
    const started = process.hrtime.bigint();
    const summary = await monitor.sweep();
    const ms = msSince(started);
    rssPeakMiB = Math.max(rssPeakMiB, rssMiB());
    runs.push({ ms, refreshCalls, statements: queries.queries, summary });
  }
  const after = memory();
  await monitor.stop();
  process.stdout.write(`${JSON.stringify({ before, after, rssPeakMiB, runs })}\n`);
} finally {
  await database.close();
}
