import {
  FAKE_GITHUB_APP,
  FAKE_GITHUB_OAUTH_APP,
  type FakeGitHub,
  startFakeGitHub,
} from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminFetch, bearer, expectJsonError, readJson } from './admin-api.js';
import { type ConnectedInstance, connectInstance, connectMcpClient, createApiKey } from './connect.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { dumpTexts, expectAllTables, expectNoSecrets, rowsOf, type TableDump } from './table-dump.js';

/** Where the end-to-end scenario keeps its data: embedded PGlite or a throw-away PostgreSQL database. */
export interface E2eBackend {
  /** Prepares the storage and returns the server variables selecting it (`DATA_DIR` or `DATABASE_URL`). */
  setup(): Promise<Record<string, string>>;
  /** Every row of every table; called after the server process has stopped. */
  dump(): Promise<TableDump>;
  /** Removes the storage. */
  teardown(): Promise<void>;
}

/** The server variables pointing GitHub at the fake, with the fake's OAuth App as the host's default client. */
export function fakeGitHubEnv(fake: FakeGitHub): Record<string, string> {
  return {
    GITHUB_URL: fake.url,
    GITHUB_API_URL: fake.apiUrl,
    GITHUB_CLIENT_ID: FAKE_GITHUB_OAUTH_APP.clientId,
    GITHUB_CLIENT_SECRET: FAKE_GITHUB_OAUTH_APP.clientSecret,
  };
}

/** Everything a server process wrote (log lines and stderr), by stream: a source for `expectNoSecrets`. */
export function processTexts(server: ServerProcess): Record<string, string> {
  return {
    'server log': server.logs.map((line) => JSON.stringify(line)).join('\n'),
    'server stderr': server.stderr(),
  };
}

interface Connected extends ConnectedInstance {
  apiKey: string;
}

/** Calls `get_me` through the official MCP SDK client and returns its structured login. */
async function loginViaMcp(server: ServerProcess, instance: Connected): Promise<unknown> {
  const client = await connectMcpClient(server, instance.instanceId, instance.apiKey);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('get_me');
    const result = await client.callTool({ name: 'get_me', arguments: {} });
    expect(result.isError ?? false).toBe(false);
    return (result.structuredContent as { login?: unknown } | undefined)?.login;
  } finally {
    await client.close();
  }
}

/**
 * The end-to-end slice of issue 2 §6, registered as ordered `it`s sharing one fake GitHub and one server process:
 * connect two accounts through the real authorization-code flow (the host's OAuth App, and an instance-owned
 * GitHub App with expiring, refreshable tokens), call `get_me` with the official MCP client, read the status,
 * delete one instance (revoked upstream), then stop the server and search a dump of every table for secrets.
 */
export function endToEndScenario(backend: E2eBackend): void {
  let fake: FakeGitHub;
  let server: ServerProcess;
  let octocat: Connected;
  let hubot: Connected;

  beforeAll(async () => {
    fake = await startFakeGitHub();
    const storage = await backend.setup();
    server = await startServerProcess({ env: { ...storage, ...fakeGitHubEnv(fake) } });
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    await backend.teardown();
  });

  it('connects a GitHub account: initiate-oauth → provider approval → real callback → active', async () => {
    const connected = await connectInstance(server, fake, { userId: 'user-octocat' });
    const authorize = new URL(connected.authorizationUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${fake.oauthUrl}/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('client_id')).toBe(FAKE_GITHUB_OAUTH_APP.clientId);
    expect(connected.login).toBe('octocat');
    octocat = { ...connected, ...(await createApiKey(server, connected.instanceId)) };
  });

  it('the official MCP SDK client lists get_me and calls it as the connected user', async () => {
    expect(await loginViaMcp(server, octocat)).toBe('octocat');
  });

  it('a second account with its own GitHub App client is scoped to its own identity', async () => {
    fake.approveAs('hubot');
    try {
      const connected = await connectInstance(server, fake, {
        userId: 'user-hubot',
        clientId: FAKE_GITHUB_APP.clientId,
        clientSecret: FAKE_GITHUB_APP.clientSecret,
      });
      hubot = { ...connected, ...(await createApiKey(server, connected.instanceId)) };
    } finally {
      fake.approveAs('octocat');
    }
    expect(await loginViaMcp(server, hubot)).toBe('hubot');
    expect(await loginViaMcp(server, octocat)).toBe('octocat');
    expect(fake.state.refreshTokens.size).toBe(1);
  });

  it('GET /:instanceId/status with the API key answers active and never a token', async () => {
    const response = await fetch(`${server.url}/${octocat.instanceId}/status`, {
      headers: bearer(octocat.apiKey),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({
      instanceId: octocat.instanceId,
      serviceName: 'github',
      status: 'active',
      upstreamLogin: 'octocat',
      scopes: ['read:user'],
      expiresAt: null,
    });
    const hubotStatus = await readJson(
      await fetch(`${server.url}/${hubot.instanceId}/status`, { headers: bearer(hubot.apiKey) }),
    );
    expect(hubotStatus).toMatchObject({
      status: 'active',
      upstreamLogin: 'hubot',
      expiresAt: expect.any(String),
    });
    for (const token of [...fake.state.tokens.keys(), ...fake.state.refreshTokens.keys()]) {
      expect(text.includes(token) || JSON.stringify(hubotStatus).includes(token)).toBe(false);
    }
  });

  it('DELETE /api/v1/instances/:id revokes the token upstream and removes the instance', async () => {
    const issued = [...fake.state.tokens.values()].filter((token) => token.login === 'octocat');
    expect(issued).toHaveLength(1);
    const response = await adminFetch(server, `/api/v1/instances/${octocat.instanceId}`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ deleted: true, upstreamRevoked: true });
    expect(fake.state.revokedTokens.has(issued[0]?.token ?? '')).toBe(true);

    await expectJsonError(
      await adminFetch(server, `/api/v1/instances/${octocat.instanceId}`),
      404,
      'INSTANCE_NOT_FOUND',
    );
    // Its API keys went with it (cascade): the key no longer authenticates anything.
    await expectJsonError(
      await fetch(`${server.url}/${octocat.instanceId}/status`, { headers: bearer(octocat.apiKey) }),
      401,
      'UNAUTHORIZED',
    );
    expect(await loginViaMcp(server, hubot)).toBe('hubot');
  });

  it('after a graceful stop, no table and no log line holds a token, client secret, API key, state or code', async () => {
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const dump = await backend.dump();
    expectAllTables(dump);

    const credentials = rowsOf(dump, 'mcp_credentials');
    expect(credentials.map((row) => row.instance_id)).toEqual([hubot.instanceId]);
    expect(credentials[0]).toMatchObject({
      access_token_ciphertext: expect.any(String),
      refresh_token_ciphertext: expect.any(String),
    });
    expect(rowsOf(dump, 'mcp_service_table').map((row) => row.instance_id)).toEqual([hubot.instanceId]);
    expect(rowsOf(dump, 'mcp_api_keys').map((row) => row.instance_id)).toEqual([hubot.instanceId]);
    expect(rowsOf(dump, 'mcp_oauth_states')).toHaveLength(1);
    expect(rowsOf(dump, 'mcp_table').map((row) => row.name)).toEqual(expect.arrayContaining(['github']));
    expect(rowsOf(dump, 'mcp_audit_log').map((row) => row.event)).toEqual(
      expect.arrayContaining(['oauth.completed', 'api_key.created', 'instance.deleted']),
    );

    expectNoSecrets(
      { ...dumpTexts(dump), ...processTexts(server) },
      {
        'access token': [...fake.state.tokens.keys()],
        'refresh token': [...fake.state.refreshTokens.keys()],
        'client secret': [FAKE_GITHUB_OAUTH_APP.clientSecret, FAKE_GITHUB_APP.clientSecret],
        'admin token': [server.adminToken ?? ''],
        'API key': [octocat.apiKey, hubot.apiKey],
        'state value': [octocat.state, hubot.state],
        'authorization code': [...fake.state.codes.keys()],
      },
    );
    expect(fake.state.tokens.size).toBe(2);
    expect(fake.state.codes.size).toBe(2);
  });
}
