import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type FakeGitHub, redisServerAvailable, startFakeGitHub } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstance, connectMcpClient, createApiKey } from './helpers/connect.js';
import { fakeGitHubEnv } from './helpers/e2e-scenario.js';
import { type AppInstance, type Cluster, connectApp, startCluster } from './helpers/lifecycle-cluster.js';
import { callTool, type ToolCallOutcome } from './helpers/mcp-call.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

const BURST = 3;
/**
 * One call back every 100 s: the bucket cannot refill a whole call while a test runs, so the counts below do not
 * depend on timing.
 */
const LIMIT_ENV = { TOOL_RATE_LIMIT_BURST: String(BURST), TOOL_RATE_LIMIT_PER_SECOND: '0.01' };
const RATE_LIMITED = /^Rate limited: too many tool calls on this connection; retry after (\d+) s\.$/;

/** `GET /user` requests the fake GitHub received so far (one per `get_me` that reached upstream). */
function userCalls(fake: FakeGitHub): number {
  return fake.state.requests.filter((request) => request.route === 'user').length;
}

interface CallSummary {
  succeeded: number;
  limited: number;
  other: string[];
  retryAfterSeconds: number[];
}

/** Sorts tool-call outcomes: successful `get_me`, refused by the rate limit, anything else (reported as text). */
function summarize(outcomes: Array<{ isError: boolean; text: string }>): CallSummary {
  const summary: CallSummary = { succeeded: 0, limited: 0, other: [], retryAfterSeconds: [] };
  for (const outcome of outcomes) {
    const limited = RATE_LIMITED.exec(outcome.text);
    if (!outcome.isError) summary.succeeded += 1;
    else if (limited) {
      summary.limited += 1;
      summary.retryAfterSeconds.push(Number(limited[1]));
    } else summary.other.push(outcome.text);
  }
  return summary;
}

/** Calls `get_me` `count` times at once through the official MCP SDK client. */
async function flood(client: Client, count: number): Promise<CallSummary> {
  const results = await Promise.all(
    Array.from({ length: count }, () => client.callTool({ name: 'get_me', arguments: {} })),
  );
  return summarize(
    results.map((result) => {
      const content = result.content as Array<{ type: string; text?: string }>;
      return { isError: result.isError === true, text: content[0]?.text ?? '' };
    }),
  );
}

describe('per-instance tool-call rate limit (TOOL_RATE_LIMIT_*, embedded PGlite, in-process buckets)', () => {
  let fake: FakeGitHub;
  let server: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    fake = await startFakeGitHub();
    server = await startServerProcess({ env: { ...fakeGitHubEnv(fake), ...LIMIT_ENV } });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await server?.stop();
    await fake?.close();
  });

  async function connectedClient(userId: string): Promise<Client> {
    const { instanceId } = await connectInstance(server, fake, { userId });
    const { apiKey } = await createApiKey(server, instanceId);
    const client = await connectMcpClient(server, instanceId, apiKey);
    clients.push(client);
    return client;
  }

  it('logs the limit it runs with', async () => {
    const starting = await server.waitForLog((line) => line.msg === 'starting');
    expect(starting.toolRateLimit).toEqual({ capacity: BURST, refillPerSecond: 0.01, store: 'memory' });
    const composed = await server.waitForLog((line) => line.msg === 'application composed');
    expect(composed.toolRateLimit).toBe('memory');
  });

  it('a flooding instance gets rate-limited results; another instance is unaffected', async () => {
    const flooding = await connectedClient('user-flooding');
    const quiet = await connectedClient('user-quiet');

    const upstreamBefore = userCalls(fake);
    const flooded = await flood(flooding, 10);
    expect(flooded.other).toEqual([]);
    expect(flooded).toMatchObject({ succeeded: BURST, limited: 10 - BURST });
    // The retry hint reflects the configured refill (one call per 100 s).
    for (const seconds of flooded.retryAfterSeconds) {
      expect(seconds).toBeGreaterThan(50);
      expect(seconds).toBeLessThanOrEqual(100);
    }
    // Refused calls never reached GitHub.
    expect(userCalls(fake) - upstreamBefore).toBe(BURST);

    const unaffected = await flood(quiet, BURST);
    expect(unaffected).toMatchObject({ succeeded: BURST, limited: 0, other: [] });
    expect(userCalls(fake) - upstreamBefore).toBe(2 * BURST);

    // The flooding instance stays limited; tools/list is not counted.
    expect((await flooding.listTools()).tools.map((tool) => tool.name)).toContain('get_me');
    expect(await flood(flooding, 1)).toMatchObject({ succeeded: 0, limited: 1 });
    await server.waitForLog((line) => line.msg === 'tool call rate limited');
  });
});

const databaseUrl = process.env.DATABASE_URL;
const withRedis = Boolean(databaseUrl && process.env.REDIS_URL) && redisServerAvailable();

describe.skipIf(!withRedis)('per-instance tool-call rate limit shared through Redis (two processes)', () => {
  let cluster: Cluster;
  let p1: ServerProcess;
  let p2: ServerProcess;

  beforeAll(async () => {
    cluster = await startCluster({ baseDatabaseUrl: databaseUrl ?? '', logLevel: 'info', env: LIMIT_ENV });
    [p1, p2] = cluster.servers as [ServerProcess, ServerProcess];
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const calls = (server: ServerProcess, app: AppInstance, count: number): Promise<ToolCallOutcome[]> =>
    Promise.all(Array.from({ length: count }, () => callTool(server, app.instanceId, app.apiKey, 'get_me')));

  it('both processes draw from one bucket per instance; other instances keep theirs', async () => {
    const composed = await p1.waitForLog((line) => line.msg === 'application composed');
    expect(composed.toolRateLimit).toBe('redis');
    const flooding = await connectApp(cluster, { login: 'octocat' });
    const quiet = await connectApp(cluster, { login: 'hubot' });

    const first = summarize(await calls(p1, flooding, BURST + 2));
    expect(first).toMatchObject({ succeeded: BURST, limited: 2, other: [] });
    // The other process sees the same, empty bucket.
    expect(summarize(await calls(p2, flooding, 4))).toMatchObject({ succeeded: 0, limited: 4, other: [] });

    const onP2 = summarize(await calls(p2, quiet, BURST - 1));
    const onP1 = summarize(await calls(p1, quiet, 1));
    expect([onP2.succeeded + onP1.succeeded, onP2.limited + onP1.limited]).toEqual([BURST, 0]);
    expect(summarize(await calls(p1, quiet, 1))).toMatchObject({ succeeded: 0, limited: 1 });
  });
});
