import { type FakeGitHub, startFakeGitHub } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFetch, bearer, readJson } from './helpers/admin-api.js';
import { fakeGitHubEnv } from './helpers/e2e-scenario.js';
import { type AppInstance, connectApp, healthOf } from './helpers/lifecycle-cluster.js';
import { callTool } from './helpers/mcp-call.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

/** Every token and refresh token the fake issued. */
function secretsOf(fake: FakeGitHub): string[] {
  return [...fake.state.tokens.keys(), ...fake.state.refreshTokens.keys()];
}

describe('token lifecycle in one process (embedded PGlite, in-process cache)', () => {
  let fake: FakeGitHub;
  let server: ServerProcess;
  let app: AppInstance;

  beforeAll(async () => {
    fake = await startFakeGitHub();
    server = await startServerProcess({ env: fakeGitHubEnv(fake) });
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  it('starts the lifecycle after listening, with the memory cache and /health stats', async () => {
    const started = await server.waitForLog((line) => line.msg === 'token lifecycle started');
    expect(started).toMatchObject({ cache: 'memory' });
    const health = await healthOf(server);
    expect(health.code).toBe(200);
    expect(health.body).toMatchObject({
      status: 'healthy',
      checks: { database: { status: 'up' }, cache: { status: 'up' } },
      stats: {
        cache: { backend: 'memory', hits: 0 },
        tokens: { refresh: { upstreamCalls: 0 }, breakers: { openInstances: 0 } },
      },
    });
  });

  it('a due token is refreshed once on first use and the refresh is logged as a token event', async () => {
    app = await connectApp({ fake, servers: [server] }, { firstTokenExpiresIn: 60 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => callTool(server, app.instanceId, app.apiKey, 'get_me')),
    );
    expect(outcomes.every((outcome) => !outcome.isError && outcome.structured?.login === 'octocat')).toBe(
      true,
    );
    expect(fake.state.refreshCalls).toBe(1);
    const event = await server.waitForLog((line) => line.msg === 'token event' && line.event === 'refreshed');
    expect(event).toMatchObject({
      instanceId: app.instanceId,
      serviceName: 'github',
      rotated: true,
      expiresAt: expect.any(String),
    });
    const stats = (await healthOf(server)).body.stats;
    expect(stats.tokens.refresh).toMatchObject({ upstreamCalls: 1, succeeded: 1 });
  });

  it('POST /cache-tokens reloads active instances into the cache; later calls are cache hits', async () => {
    const response = await adminFetch(server, '/cache-tokens', { method: 'POST', body: {} });
    expect(await readJson(response)).toEqual({ reloaded: 1, failed: 0 });
    const hits = (await healthOf(server)).body.stats.cache.hits;
    expect((await callTool(server, app.instanceId, app.apiKey, 'get_me')).isError).toBe(false);
    expect((await healthOf(server)).body.stats.cache.hits).toBe(hits + 1);
  });

  it('GET /:instanceId/status shows version and breakers; POST /:instanceId/refresh rotates once', async () => {
    const refreshCalls = fake.state.refreshCalls;
    const refreshed = await fetch(`${server.url}/${app.instanceId}/refresh`, {
      method: 'POST',
      headers: bearer(app.apiKey),
    });
    const result = await readJson<{ version: number; rotated: boolean }>(refreshed);
    expect(result.rotated).toBe(true);
    expect(fake.state.refreshCalls).toBe(refreshCalls + 1);
    const response = await fetch(`${server.url}/${app.instanceId}/status`, { headers: bearer(app.apiKey) });
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      status: 'active',
      version: result.version,
      hasRefreshToken: true,
      breakers: { provider: { state: 'closed' }, instance: { state: 'closed' } },
    });
    for (const secret of secretsOf(fake)) expect(text.includes(secret)).toBe(false);
  });

  it('deleting the instance purges its cache entry', async () => {
    const before = (await healthOf(server)).body.stats.cache.invalidations;
    const response = await adminFetch(server, `/api/v1/instances/${app.instanceId}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect((await healthOf(server)).body.stats.cache.invalidations).toBeGreaterThan(before);
  });

  it('shuts down cleanly (monitor and cache before the database) and never logs a token', async () => {
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const shutdownAt = server.logs.findIndex((line) => line.msg === 'shutting down');
    const afterShutdown = server.logs.slice(shutdownAt);
    expect(afterShutdown.filter((line) => (line.level ?? 0) >= 50)).toEqual([]);
    expect(afterShutdown.at(-1)?.msg).toBe('shutdown complete');
    const logs = server.logs.map((line) => JSON.stringify(line)).join('\n') + server.stderr();
    for (const secret of secretsOf(fake)) expect(logs.includes(secret)).toBe(false);
  });
});
