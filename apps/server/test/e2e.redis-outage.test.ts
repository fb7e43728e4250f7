import { freePort, redisServerAvailable } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, readJson } from './helpers/admin-api.js';
import { type Cluster, connectApp, healthOf, nextLog, startCluster } from './helpers/lifecycle-cluster.js';
import { callTool } from './helpers/mcp-call.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

const baseUrl = process.env.DATABASE_URL;
const enabled = Boolean(baseUrl && process.env.REDIS_URL) && redisServerAvailable();

/** Resolves when the server logged that its Redis connection of `role` was lost (or restored). */
function redisLog(server: ServerProcess, msg: string, role: string) {
  return nextLog(server, (line) => line.msg === msg && line.role === role);
}

describe.skipIf(!enabled)('Redis stopped mid-run (private redis-server as REDIS_URL)', () => {
  let cluster: Cluster;
  let server: ServerProcess;

  beforeAll(async () => {
    cluster = await startCluster({ baseDatabaseUrl: baseUrl ?? '', processes: 1 });
    [server] = cluster.servers as [ServerProcess];
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('starts and serves without waiting for an unreachable Redis (readiness never depends on it)', async () => {
    const app = await connectApp(cluster, { login: 'no-redis-user' });
    const lonely = await startServerProcess({
      env: { ...cluster.env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
    });
    try {
      const health = await healthOf(lonely);
      expect(health.code).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', checks: { cache: { status: 'down' } } });
      const call = await callTool(lonely, app.instanceId, app.apiKey, 'get_me');
      expect(call).toMatchObject({ status: 200, isError: false, structured: { login: 'no-redis-user' } });
    } finally {
      await lonely.stop();
    }
  });

  it('keeps serving from the database while Redis is down and uses the cache again once it returns', async () => {
    const redis = cluster.redis;
    if (redis === undefined) throw new Error('no private redis');
    const cached = await connectApp(cluster);
    expect((await callTool(server, cached.instanceId, cached.apiKey, 'get_me')).isError).toBe(false);
    expect((await healthOf(server)).body).toMatchObject({
      status: 'healthy',
      checks: { cache: { status: 'up' } },
    });

    const lost = redisLog(server, 'redis connection lost; reconnecting', 'cache');
    await redis.stop();
    await lost;
    const down = await healthOf(server);
    expect(down.code).toBe(200);
    expect(down.body).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'up' }, cache: { status: 'down' } },
    });

    // An instance connected during the outage has nothing cached anywhere: served from the database.
    const fresh = await connectApp(cluster, { login: 'outage-user' });
    const errorsBefore = down.body.stats.tokens.cache.errors;
    const calls = await Promise.all([
      callTool(server, cached.instanceId, cached.apiKey, 'get_me'),
      callTool(server, fresh.instanceId, fresh.apiKey, 'get_me'),
    ]);
    expect(calls.map((call) => [call.status, call.isError])).toEqual([
      [200, false],
      [200, false],
    ]);
    expect(calls[1]?.structured?.login).toBe('outage-user');
    expect((await healthOf(server)).body.stats.tokens.cache.errors).toBeGreaterThan(errorsBefore);

    // A forced refresh still works: the Redis lock fails, the database lock excludes other replicas.
    const refreshCalls = cluster.fake.state.refreshCalls;
    const refreshed = await fetch(`${server.url}/${fresh.instanceId}/refresh`, {
      method: 'POST',
      headers: bearer(fresh.apiKey),
    });
    expect(refreshed.status).toBe(200);
    expect(await readJson(refreshed)).toMatchObject({ refreshed: true, rotated: true });
    expect(cluster.fake.state.refreshCalls - refreshCalls).toBe(1);
    expect(server.child.exitCode).toBeNull();

    const restored = Promise.all([
      redisLog(server, 'redis connection restored', 'cache'),
      redisLog(server, 'redis connection restored', 'cache-subscriber'),
      nextLog(server, (line) => line.msg === 'cache invalidation received' && line.kind === 'all'),
    ]);
    await redis.start();
    await restored;
    const up = await healthOf(server);
    expect(up.body).toMatchObject({ status: 'healthy', checks: { cache: { status: 'up' } } });

    const hitsBefore = up.body.stats.cache.hits;
    for (let i = 0; i < 3; i++) {
      expect((await callTool(server, fresh.instanceId, fresh.apiKey, 'get_me')).isError).toBe(false);
    }
    const after = (await healthOf(server)).body.stats;
    // The first call reloads from the database into the (empty) Redis and the LRU; the next two are hits.
    expect(after.cache.hits).toBeGreaterThanOrEqual(hitsBefore + 2);
  }, 60_000);
});
