import type { RequestContext } from '../context.js';
import { jsonResponse } from '../responses.js';

/** Body of `GET /health`. */
export interface HealthReport {
  status: 'healthy' | 'degraded' | 'unhealthy';
  version: string;
  /** Seconds since the handler was created. */
  uptime: number;
  checks: {
    database: { status: 'up' | 'down'; latencyMs: number };
    cache: { status: 'up' | 'down' | 'not_configured' };
  };
  /** The host's counters (`stats` option): cache hit ratio, refresh outcomes, breaker states. */
  stats?: Record<string, unknown>;
}

/** The host's counters, or `undefined` (a failing `stats` must not fail the health check). */
function statsOf(context: RequestContext): Record<string, unknown> | undefined {
  const { stats, logger } = context.deps;
  if (stats === undefined) return undefined;
  try {
    return stats();
  } catch (error) {
    logger.warn(
      { requestId: context.requestId, err: error instanceof Error ? error.name : 'unknown' },
      'health stats failed',
    );
    return undefined;
  }
}

/** Runs `probe`, failing it when it takes longer than `timeoutMs` (a hung pool must not hang the probe). */
async function withTimeout(probe: () => Promise<void>, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('health check timed out')), timeoutMs);
  });
  try {
    await Promise.race([probe(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function probeUp(probe: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  try {
    await withTimeout(probe, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/**
 * `GET /health`: `unhealthy` and 503 when the database does not answer, `degraded` (200) when only the cache
 * fails, plus the host's `stats` when configured. Reports no error details.
 */
export async function getHealth(context: RequestContext): Promise<Response> {
  const { store, now, version, startedAt, healthChecks, healthTimeoutMs } = context.deps;
  const started = now();
  const databaseUp = await probeUp(() => store.ping(), healthTimeoutMs);
  const latencyMs = Math.max(0, now() - started);
  const cacheCheck = healthChecks.cache;
  const cacheStatus =
    cacheCheck === undefined
      ? 'not_configured'
      : (await probeUp(cacheCheck, healthTimeoutMs))
        ? 'up'
        : 'down';
  const status = !databaseUp ? 'unhealthy' : cacheStatus === 'down' ? 'degraded' : 'healthy';
  const report: HealthReport = {
    status,
    version,
    uptime: Math.max(0, Math.floor((now() - startedAt) / 1000)),
    checks: { database: { status: databaseUp ? 'up' : 'down', latencyMs }, cache: { status: cacheStatus } },
  };
  const stats = statsOf(context);
  if (stats !== undefined) report.stats = stats;
  return jsonResponse(report, databaseUp ? 200 : 503);
}
