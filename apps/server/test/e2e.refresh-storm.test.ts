import { redisServerAvailable } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFetch, bearer, instanceStatus, readJson } from './helpers/admin-api.js';
import { createApiKey } from './helpers/connect.js';
import {
  type AppInstance,
  type Cluster,
  connectApp,
  healthOf,
  nextLog,
  revokeGrant,
  startCluster,
  userCallTokens,
} from './helpers/lifecycle-cluster.js';
import { callTool } from './helpers/mcp-call.js';
import type { ServerProcess } from './helpers/server-process.js';

const baseUrl = process.env.DATABASE_URL;
const enabled = Boolean(baseUrl && process.env.REDIS_URL) && redisServerAvailable();

const RECONNECT = /GitHub account must be reconnected/;

/** `GET /:instanceId/status` with the instance's API key: the body and its raw text. */
async function statusOf(
  server: ServerProcess,
  app: AppInstance,
): Promise<{ body: Record<string, unknown>; text: string }> {
  const response = await fetch(`${server.url}/${app.instanceId}/status`, { headers: bearer(app.apiKey) });
  const text = await response.text();
  expect(response.status).toBe(200);
  return { body: JSON.parse(text) as Record<string, unknown>, text };
}

/** `initialize` + `notifications/initialized` on `server`, then opens the session's GET stream; returns its reader. */
async function openSessionStream(
  server: ServerProcess,
  instanceId: string,
  apiKey: string,
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const url = `${server.url}/${instanceId}/mcp`;
  const headers = {
    ...bearer(apiKey),
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
  };
  const initialize = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '0' } },
    }),
  });
  await initialize.text();
  const sessionId = initialize.headers.get('mcp-session-id');
  expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
  const session = { ...headers, 'mcp-session-id': sessionId ?? '' };
  const initialized = await fetch(url, {
    method: 'POST',
    headers: session,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  expect(initialized.status).toBe(202);
  const stream = await fetch(url, { headers: { ...session, accept: 'text/event-stream' } });
  expect(stream.status).toBe(200);
  if (stream.body === null) throw new Error('no stream body');
  return stream.body.getReader();
}

/** Every token and refresh token the fake ever issued (none may appear in an answer). */
function allSecrets(cluster: Cluster): string[] {
  return [...cluster.fake.state.tokens.keys(), ...cluster.fake.state.refreshTokens.keys()];
}

/** Resolves once `server` applied another replica's invalidation of `instanceId`. */
function invalidationOf(server: ServerProcess, instanceId: string) {
  return nextLog(
    server,
    (line) =>
      line.msg === 'cache invalidation received' &&
      Array.isArray(line.instanceIds) &&
      line.instanceIds.includes(instanceId),
  );
}

describe.skipIf(!enabled)('token lifecycle across two server processes (PostgreSQL + private Redis)', () => {
  let cluster: Cluster;
  let p1: ServerProcess;
  let p2: ServerProcess;
  let storm: AppInstance;

  beforeAll(async () => {
    // The storm sends 1 000 tool calls on one instance: the per-instance tool-call limit would refuse most.
    cluster = await startCluster({
      baseDatabaseUrl: baseUrl ?? '',
      env: { TOOL_RATE_LIMIT_PER_SECOND: 'off' },
    });
    [p1, p2] = cluster.servers as [ServerProcess, ServerProcess];
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('refresh storm: 500 concurrent tool calls on each process → exactly one upstream refresh', async () => {
    storm = await connectApp(cluster, { firstTokenExpiresIn: 60 });
    const versionBefore = (await statusOf(p1, storm)).body.version as number;
    const refreshCalls = cluster.fake.state.refreshCalls;
    const requestsFrom = cluster.fake.state.requests.length;

    const started = performance.now();
    const outcomes = await Promise.all(
      [p1, p2].flatMap((server) =>
        Array.from({ length: 500 }, () => callTool(server, storm.instanceId, storm.apiKey, 'get_me')),
      ),
    );
    const wallMs = Math.round(performance.now() - started);

    const failed = outcomes.filter((outcome) => outcome.status !== 200 || outcome.isError);
    expect(failed.slice(0, 3)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.structured?.login === 'octocat')).toHaveLength(1_000);
    expect(cluster.fake.state.refreshCalls - refreshCalls).toBe(1);

    // Every upstream API call of the storm used the one refreshed token, never the due one.
    const used = new Set(userCallTokens(cluster.fake, requestsFrom));
    expect(used.size).toBe(1);
    const [fresh] = [...used];
    expect(fresh).not.toBe(storm.firstAccessToken);
    expect(cluster.fake.isTokenLive(fresh ?? '')).toBe(true);

    const [s1, s2] = await Promise.all([statusOf(p1, storm), statusOf(p2, storm)]);
    expect(s1.body.version).toBe(versionBefore + 1);
    expect(s2.body.version).toBe(s1.body.version);
    expect(s1.body).toMatchObject({ status: 'active', refreshAttempts: 0, lastRefreshError: null });

    const [h1, h2] = await Promise.all([healthOf(p1), healthOf(p2)]);
    const refresh = [h1, h2].map((health) => health.body.stats.tokens.refresh);
    expect(refresh[0]!.upstreamCalls + refresh[1]!.upstreamCalls).toBe(1);
    expect(refresh[0]!.succeeded + refresh[1]!.succeeded).toBe(1);
    expect(h1.body.stats.cache.backend).toBe('redis');
    console.info(`refresh storm: 1000 tool calls on 2 processes in ${wallMs} ms, 1 upstream refresh`);
  }, 120_000);

  it('POST /:instanceId/refresh forces one refresh through the engine; status shows breakers, no secret', async () => {
    const before = (await statusOf(p2, storm)).body.version as number;
    const refreshCalls = cluster.fake.state.refreshCalls;
    // p1 caches the current token; p2's refresh must reach p1 through the invalidation channel.
    expect((await callTool(p1, storm.instanceId, storm.apiKey, 'get_me')).isError).toBe(false);
    const invalidated = invalidationOf(p1, storm.instanceId);

    const response = await fetch(`${p2.url}/${storm.instanceId}/refresh`, {
      method: 'POST',
      headers: bearer(storm.apiKey),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ refreshed: true, rotated: true, version: before + 1 });
    expect(cluster.fake.state.refreshCalls - refreshCalls).toBe(1);
    await invalidated;

    const requestsFrom = cluster.fake.state.requests.length;
    expect((await callTool(p1, storm.instanceId, storm.apiKey, 'get_me')).isError).toBe(false);
    const latest = [...cluster.fake.state.tokens.keys()].at(-1);
    expect(userCallTokens(cluster.fake, requestsFrom)).toEqual([latest]);

    const status = await statusOf(p1, storm);
    expect(status.body).toMatchObject({
      version: before + 1,
      hasRefreshToken: true,
      refreshing: false,
      breakers: {
        provider: { state: 'closed', retryAfterMs: 0 },
        instance: { state: 'closed', retryAfterMs: 0 },
      },
      expiresAt: expect.any(String),
      lastRefreshAt: expect.any(String),
    });
    for (const secret of allSecrets(cluster)) {
      expect(status.text.includes(secret) || text.includes(secret)).toBe(false);
    }
  });

  it('a revoked grant with a due token → reconnect message, needs_reauth, no upstream call on the other process', async () => {
    const app = await connectApp(cluster, { login: 'due-user', firstTokenExpiresIn: 60 });
    expect(revokeGrant(cluster.fake, 'due-user')).toBeGreaterThan(0);
    const refreshCalls = cluster.fake.state.refreshCalls;

    const first = await callTool(p1, app.instanceId, app.apiKey, 'get_me');
    expect(first).toMatchObject({ status: 200, isError: true, text: expect.stringMatching(RECONNECT) });
    expect(cluster.fake.state.refreshCalls - refreshCalls).toBe(1);
    expect(await instanceStatus(p1, app.instanceId)).toBe('needs_reauth');

    const requestsFrom = cluster.fake.state.requests.length;
    const second = await callTool(p2, app.instanceId, app.apiKey, 'get_me');
    expect(second).toMatchObject({ isError: true, text: expect.stringMatching(RECONNECT) });
    expect(cluster.fake.state.requests.length).toBe(requestsFrom);
  });

  it('a revoked grant while both processes cache the token → 401, needs_reauth, purged on the other process', async () => {
    const app = await connectApp(cluster, { login: 'cached-user' });
    expect((await callTool(p1, app.instanceId, app.apiKey, 'get_me')).isError).toBe(false);
    const hitsBefore = (await healthOf(p2)).body.stats.cache.hits;
    expect((await callTool(p2, app.instanceId, app.apiKey, 'get_me')).isError).toBe(false);
    expect((await callTool(p2, app.instanceId, app.apiKey, 'get_me')).isError).toBe(false);
    expect((await healthOf(p2)).body.stats.cache.hits).toBeGreaterThanOrEqual(hitsBefore + 2);

    revokeGrant(cluster.fake, 'cached-user');
    const refreshCalls = cluster.fake.state.refreshCalls;
    const purged = invalidationOf(p2, app.instanceId);
    const first = await callTool(p1, app.instanceId, app.apiKey, 'get_me');
    expect(first).toMatchObject({ status: 200, isError: true, text: expect.stringMatching(RECONNECT) });
    // The 401 made the engine try the (revoked) refresh token once: terminal, no retry.
    expect(cluster.fake.state.refreshCalls - refreshCalls).toBe(1);
    expect(await instanceStatus(p2, app.instanceId)).toBe('needs_reauth');
    await purged;

    const requestsFrom = cluster.fake.state.requests.length;
    const second = await callTool(p2, app.instanceId, app.apiKey, 'get_me');
    expect(second).toMatchObject({ isError: true, text: expect.stringMatching(RECONNECT) });
    expect(cluster.fake.state.requests.length).toBe(requestsFrom);
    const events = p1.logs.filter((line) => line.msg === 'token event' && line.instanceId === app.instanceId);
    expect(events.map((line) => line.event)).toEqual(expect.arrayContaining(['needs_reauth']));
  });

  it('regression (principal cached on another replica): a key deleted through one process is refused by the other at once', async () => {
    const app = await connectApp(cluster, { login: 'key-user' });
    const extra = await createApiKey(p1, app.instanceId);
    const extraApp = { ...app, apiKey: extra.apiKey };
    // Both processes have resolved the extra key, so both hold it in their principal cache (2 s TTL).
    await statusOf(p1, extraApp);
    await statusOf(p2, extraApp);
    // p2 also holds an MCP session of the key, with its server-to-client stream open.
    const stream = await openSessionStream(p2, app.instanceId, extra.apiKey);
    const heard = invalidationOf(p2, app.instanceId);
    const deleted = await adminFetch(p1, `/api/v1/instances/${app.instanceId}/api-keys/${extra.keyId}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    await heard;
    const refused = await fetch(`${p2.url}/${app.instanceId}/status`, { headers: bearer(extra.apiKey) });
    await refused.body?.cancel();
    expect(refused.status).toBe(401);
    // ...and p2 ended the key's session: its stream ends.
    for (let read = await stream.read(); !read.done; read = await stream.read()) {}
    // The instance's other key is unaffected.
    expect((await statusOf(p2, app)).body.status).toBe('active');
  });

  it('no log line of either process holds a token', async () => {
    const logs = [p1, p2].map((server) => server.logs.map((line) => JSON.stringify(line)).join('\n'));
    for (const secret of allSecrets(cluster)) {
      expect(logs.some((text) => text.includes(secret))).toBe(false);
    }
    const admin = await readJson(
      await fetch(`${p1.url}/api/v1/instances?limit=100`, { headers: bearer(p1.adminToken) }),
    );
    expect(JSON.stringify(admin).includes(storm.firstAccessToken)).toBe(false);
  });
});
