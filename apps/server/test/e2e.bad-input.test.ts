import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_GITHUB_OAUTH_APP, type FakeGitHub, startFakeGitHub } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminFetch,
  bearer,
  expectJsonError,
  instanceCount,
  instanceStatus,
  readJson,
} from './helpers/admin-api.js';
import { BAD_INITIATE_BODIES } from './helpers/bad-bodies.js';
import {
  approve,
  callbackFor,
  connectInstance,
  createApiKey,
  expectCallbackError,
  getCallback,
  initiateOAuth,
  REGISTRY,
} from './helpers/connect.js';
import { fakeGitHubEnv, processTexts } from './helpers/e2e-scenario.js';
import { instanceFetch } from './helpers/instance-request.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';
import { dumpPGlite, dumpTexts, expectAllTables, expectNoSecrets, rowsOf } from './helpers/table-dump.js';

// One server process (embedded PGlite) for the whole file; the `describe`s run in order and the last one stops it.
// Not covered here: an *expired* state. The process runs on a real clock and a state lives 10 minutes; expiry is
// tested with an injected clock at flow level (packages/provider-github/test/flow-state.test.ts).

let fake: FakeGitHub;
let server: ServerProcess;
let dataDir: string;
/** Instances that completed the flow (must have a credential row) and those that must not have one. */
const completed = new Set<string>();
const notCompleted = new Set<string>();
/** Every state and code value the server was shown, and every API key it issued or was shown (secrets). */
const states: string[] = [];
const presented: string[] = [];
const apiKeys: string[] = [];

beforeAll(async () => {
  fake = await startFakeGitHub();
  dataDir = await mkdtemp(join(tmpdir(), 'mcp-oauth-e2e-bad-'));
  server = await startServerProcess({ env: { DATA_DIR: dataDir, ...fakeGitHubEnv(fake) } });
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** {@link expectCallbackError}, remembering the code and state values shown (searched for in the end). */
async function expectRejected(url: URL, status: number, code: string): Promise<void> {
  presented.push(...(await expectCallbackError(url, status, code)));
}

/** initiate → fake approves (or denies) → the callback URL, not yet visited. */
async function pendingCallback(userId: string): Promise<{ instanceId: string; url: URL }> {
  const flow = await initiateOAuth(server, { userId });
  states.push(flow.state);
  return { instanceId: flow.instanceId, url: await approve(server, fake, flow) };
}

const callbackUrl = (query: string) => new URL(`${REGISTRY}/callback/github?${query}`, server.url);
const randomState = () => randomBytes(32).toString('base64url');

describe('OAuth callback', () => {
  it('state missing → 400 OAUTH_STATE_MISSING', async () => {
    await expectRejected(callbackUrl('code=0123456789abcdef'), 400, 'OAUTH_STATE_MISSING');
  });

  it('state unknown → 400 OAUTH_STATE_UNKNOWN', async () => {
    const url = callbackUrl(`code=0123456789abcdef&state=${randomState()}`);
    await expectRejected(url, 400, 'OAUTH_STATE_UNKNOWN');
  });

  it('a browser (Accept: text/html) gets an error page that echoes neither code nor state', async () => {
    const url = callbackUrl(`code=${randomBytes(10).toString('hex')}&state=${randomState()}`);
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    for (const name of ['code', 'state']) {
      const value = url.searchParams.get(name) ?? '';
      presented.push(value);
      expect(text.includes(value), `${name} echoed`).toBe(false);
    }
  });

  it('replayed (second use of a successful callback) → 400 OAUTH_STATE_USED, no second code exchange', async () => {
    const connected = await connectInstance(server, fake, { userId: 'replay' });
    completed.add(connected.instanceId);
    states.push(connected.state);
    const exchanges = fake.state.calls.token;
    await expectRejected(connected.callbackUrl, 400, 'OAUTH_STATE_USED');
    expect(fake.state.calls.token).toBe(exchanges);
    expect(await instanceStatus(server, connected.instanceId)).toBe('active');
  });

  it('concurrent replays of one callback: exactly one succeeds', async () => {
    const { instanceId, url } = await pendingCallback('concurrent');
    const responses = await Promise.all([getCallback(url), getCallback(url), getCallback(url)]);
    const bodies = await Promise.all(
      responses.map((response) => readJson<{ error?: { code: string } }>(response)),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400, 400]);
    expect(bodies.filter((body) => body.error?.code === 'OAUTH_STATE_USED')).toHaveLength(2);
    completed.add(instanceId);
  });

  it('a github state at /callback/google → 400 OAUTH_STATE_SERVICE_MISMATCH, and the state is burnt', async () => {
    const { instanceId, url } = await pendingCallback('cross-service');
    const exchanges = fake.state.calls.token;
    await expectRejected(callbackFor(server, 'google', url), 400, 'OAUTH_STATE_SERVICE_MISMATCH');
    await expectRejected(url, 400, 'OAUTH_STATE_USED');
    expect(fake.state.calls.token).toBe(exchanges);
    expect(await instanceStatus(server, instanceId)).toBe('pending_oauth');
    notCompleted.add(instanceId);
  });

  it('provider error=access_denied → 400 OAUTH_ACCESS_DENIED, instance failed', async () => {
    fake.denyNextAuthorization();
    const { instanceId, url } = await pendingCallback('denied');
    expect(url.searchParams.get('error')).toBe('access_denied');
    await expectRejected(url, 400, 'OAUTH_ACCESS_DENIED');
    expect(await instanceStatus(server, instanceId)).toBe('failed');
    notCompleted.add(instanceId);
  });

  it('a code the provider rejects → 400 OAUTH_CODE_REJECTED, instance stays pending', async () => {
    const { instanceId, url } = await pendingCallback('tampered');
    const tampered = new URL(url);
    tampered.searchParams.set('code', randomBytes(10).toString('hex'));
    await expectRejected(tampered, 400, 'OAUTH_CODE_REJECTED');
    expect(await instanceStatus(server, instanceId)).toBe('pending_oauth');
    notCompleted.add(instanceId);
  });

  it('unknown service → 404 OAUTH_SERVICE_UNKNOWN without consuming the state', async () => {
    const { instanceId, url } = await pendingCallback('unknown-service');
    await expectRejected(callbackFor(server, 'gitlab', url), 404, 'OAUTH_SERVICE_UNKNOWN');
    expect(await instanceStatus(server, instanceId)).toBe('pending_oauth');
    const response = await getCallback(url);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ instanceId, status: 'active' });
    completed.add(instanceId);
  });
});

describe('initiate-oauth bodies and services', () => {
  const initiate = (
    body: string | Uint8Array | object,
    headers: Record<string, string> = {},
    service = 'github',
  ) => adminFetch(server, `${REGISTRY}/initiate-oauth/${service}`, { method: 'POST', body, headers });

  it.each(['gitlab', 'GitHub', '..%2Fgithub'])(
    'unknown service %j → 404 OAUTH_SERVICE_UNKNOWN',
    async (name) => {
      const before = await instanceCount(server);
      await expectJsonError(await initiate({ userId: 'u' }, {}, name), 404, 'OAUTH_SERVICE_UNKNOWN');
      expect(await instanceCount(server)).toBe(before);
    },
  );

  it.each(BAD_INITIATE_BODIES)('$name → $status $code, nothing stored', async (bad) => {
    const before = await instanceCount(server);
    const headers: Record<string, string> = bad.contentType ? { 'content-type': bad.contentType } : {};
    await expectJsonError(await initiate(bad.body, headers), bad.status, bad.code);
    expect(await instanceCount(server)).toBe(before);
  });
});

describe('instance ids that are not UUIDs', () => {
  const ids = [
    "1'; DROP TABLE mcp_credentials;--",
    '../etc',
    "' OR '1'='1",
    'not-a-uuid',
    `${randomUUID()}x`,
  ];
  let key = '';

  beforeAll(async () => {
    const connected = await connectInstance(server, fake, { userId: 'id-probe' });
    completed.add(connected.instanceId);
    key = (await createApiKey(server, connected.instanceId)).apiKey;
    apiKeys.push(key);
  });

  it.each(ids)('%j on admin routes → 400 INVALID_INSTANCE_ID', async (id) => {
    const path = `/api/v1/instances/${encodeURIComponent(id)}`;
    await expectJsonError(await adminFetch(server, path), 400, 'INVALID_INSTANCE_ID');
    await expectJsonError(await adminFetch(server, path, { method: 'DELETE' }), 400, 'INVALID_INSTANCE_ID');
    const create = await adminFetch(server, `${path}/api-keys`, { method: 'POST', body: {} });
    await expectJsonError(create, 400, 'INVALID_INSTANCE_ID');
  });

  it.each(ids)('%j on per-instance routes (with a valid key) → 404 INSTANCE_NOT_FOUND', async (id) => {
    for (const route of ['mcp', 'status', 'health'] as const) {
      await expectJsonError(
        await instanceFetch(server, encodeURIComponent(id), route, key),
        404,
        'INSTANCE_NOT_FOUND',
      );
    }
  });
  it('SQL-looking text in a body or a query is data, not SQL', async () => {
    const userId = "x'); DROP TABLE mcp_credentials;--";
    const flow = await initiateOAuth(server, { userId });
    states.push(flow.state);
    notCompleted.add(flow.instanceId);
    expect(await readJson(await adminFetch(server, `/api/v1/instances/${flow.instanceId}`))).toMatchObject({
      userId,
    });
    const query = (value: string) => `/api/v1/instances?userId=${encodeURIComponent(value)}`;
    const exact = await readJson<{ items: unknown[] }>(await adminFetch(server, query(userId)));
    expect(exact.items).toHaveLength(1);
    const injected = await readJson<{ items: unknown[] }>(await adminFetch(server, query("' OR '1'='1")));
    expect(injected.items).toHaveLength(0);
  });
});

describe('admin token', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/api/v1/instances'],
    ['GET', `${REGISTRY}/services`],
    ['POST', `${REGISTRY}/initiate-oauth/github`],
    ['DELETE', `/api/v1/instances/${randomUUID()}`],
  ];
  it.each(routes)('%s %s without a token → 401, with a wrong one → 401', async (method, path) => {
    const before = await instanceCount(server);
    for (const headers of [
      {},
      bearer(randomBytes(32).toString('base64url')),
      { authorization: 'Basic YTpi' },
    ]) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ userId: 'intruder' }) : undefined,
      });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expectJsonError(response, 401, 'UNAUTHORIZED');
    }
    expect(await instanceCount(server)).toBe(before);
  });
});

describe('instance API keys on /:instanceId/*', () => {
  let mine: { instanceId: string; apiKey: string };
  let other: { instanceId: string; apiKey: string };

  beforeAll(async () => {
    const [a, b] = [
      await connectInstance(server, fake, { userId: 'key-a' }),
      await connectInstance(server, fake, { userId: 'key-b' }),
    ];
    completed.add(a.instanceId).add(b.instanceId);
    mine = { instanceId: a.instanceId, apiKey: (await createApiKey(server, a.instanceId)).apiKey };
    other = { instanceId: b.instanceId, apiKey: (await createApiKey(server, b.instanceId)).apiKey };
    apiKeys.push(mine.apiKey, other.apiKey);
  });

  it('its own key works (control)', async () => {
    const response = await instanceFetch(server, mine.instanceId, 'mcp', mine.apiKey);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: 1, result: expect.any(Object) });
  });

  it.each(['mcp', 'status'] as const)(
    "another instance's key on /%s → 404, the same answer as an unknown instance",
    async (route) => {
      const foreign = await expectJsonError(
        await instanceFetch(server, other.instanceId, route, mine.apiKey),
        404,
        'INSTANCE_NOT_FOUND',
      );
      const unknown = await expectJsonError(
        await instanceFetch(server, randomUUID(), route, mine.apiKey),
        404,
        'INSTANCE_NOT_FOUND',
      );
      expect(foreign.body).toEqual(unknown.body);
    },
  );

  const unknownKey = `mcpk_${randomBytes(32).toString('base64url')}`;
  apiKeys.push(unknownKey);
  const badKeys: Array<[string, () => string | undefined]> = [
    ['no key', () => undefined],
    ['a well-formed but unknown key', () => unknownKey],
    ['a malformed key', () => 'not-a-key'],
    ['the admin token', () => server.adminToken],
  ];
  it.each(badKeys)('%s → 401 UNAUTHORIZED', async (_name, key) => {
    for (const route of ['mcp', 'status'] as const) {
      const response = await instanceFetch(server, mine.instanceId, route, key());
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expectJsonError(response, 401, 'UNAUTHORIZED');
    }
  });
});

describe('storage after all of the above (server stopped)', () => {
  it('every table still exists, only completed flows stored credentials, and nothing is in clear', async () => {
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const dump = await dumpPGlite(join(dataDir, 'pglite'));
    expectAllTables(dump);
    const credentialIds = rowsOf(dump, 'mcp_credentials').map((row) => String(row.instance_id));
    expect(credentialIds.sort()).toEqual([...completed].sort());
    for (const id of notCompleted) expect(credentialIds).not.toContain(id);
    expect(rowsOf(dump, 'mcp_service_table').map((row) => row.user_id)).not.toContain('intruder');
    expectNoSecrets(
      { ...dumpTexts(dump), ...processTexts(server) },
      {
        'access token': [...fake.state.tokens.keys()],
        'client secret': [FAKE_GITHUB_OAUTH_APP.clientSecret],
        'admin token': [server.adminToken ?? ''],
        'API key': apiKeys,
        'state value': states,
        'authorization code': [...fake.state.codes.keys()],
        'presented state or code': presented,
      },
    );
  });
});
