import { createKeyRing, parseKeyRingSpec, SECRET_COLUMNS } from '@org/mcp-oauth-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFetch, bearer, expectJsonError } from './helpers/admin-api.js';
import { createApiKey } from './helpers/connect.js';
import { type Cluster, connectApp, healthOf, startCluster } from './helpers/lifecycle-cluster.js';
import { callTool } from './helpers/mcp-call.js';
import type { ServerProcess } from './helpers/server-process.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const baseUrl = process.env.DATABASE_URL;

interface CredentialRow {
  version: number;
  access_token_ciphertext: string;
  refresh_token_ciphertext: string | null;
}

/** The credential row of an instance, read straight from PostgreSQL (not through the proxy). */
async function credentialRow(url: string, instanceId: string): Promise<CredentialRow> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<CredentialRow>(
      'select version, access_token_ciphertext, refresh_token_ciphertext from mcp_credentials where instance_id = $1',
      [instanceId],
    );
    const [row] = result.rows;
    if (row === undefined) throw new Error('no credential row');
    return row;
  } finally {
    await client.end();
  }
}

describe.skipIf(!baseUrl)('PostgreSQL stopped (TCP proxy cut between the server and PostgreSQL)', () => {
  let proxy: TcpProxy;
  let cluster: Cluster;
  let server: ServerProcess;

  beforeAll(async () => {
    const target = new URL(baseUrl ?? '');
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    cluster = await startCluster({
      baseDatabaseUrl: baseUrl ?? '',
      processes: 1,
      redis: false,
      logLevel: 'info',
      serverDatabaseUrl: (url) => {
        const proxied = new URL(url);
        proxied.hostname = '127.0.0.1';
        proxied.port = String(proxy.port);
        return proxied.href;
      },
    });
    [server] = cluster.servers as [ServerProcess];
  });
  afterAll(async () => {
    await proxy?.start();
    await cluster?.close();
    await proxy?.close();
  });

  it('answers clear 503 JSON errors while the database is down, loses no token and recovers', async () => {
    const app = await connectApp(cluster);
    // A second key, never used before the outage: resolving it needs the database.
    const unseen = await createApiKey(server, app.instanceId);
    expect((await callTool(server, app.instanceId, app.apiKey, 'get_me')).isError).toBe(false);
    const before = await credentialRow(cluster.database.url, app.instanceId);

    await proxy.stop();
    const health = await healthOf(server);
    expect(health.code).toBe(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', checks: { database: { status: 'down' } } });

    const mcp = await callTool(server, app.instanceId, unseen.apiKey, 'get_me');
    expect(mcp).toMatchObject({ status: 503, errorCode: 'STORE_UNAVAILABLE' });
    // (The key used a moment ago may still be served from the principal and token caches for up to 2 s; core's
    // principal-cache tests pin that with an injected clock.)
    await expectJsonError(await adminFetch(server, '/api/v1/instances'), 503, 'STORE_UNAVAILABLE');
    await expectJsonError(
      await fetch(`${server.url}/${app.instanceId}/status`, { headers: bearer(app.apiKey) }),
      503,
      'STORE_UNAVAILABLE',
    );
    await expectJsonError(
      await fetch(`${server.url}/${app.instanceId}/refresh`, { method: 'POST', headers: bearer(app.apiKey) }),
      503,
      'STORE_UNAVAILABLE',
    );
    expect(server.child.exitCode).toBeNull();

    await proxy.start();
    const recovered = await callTool(server, app.instanceId, app.apiKey, 'get_me');
    expect(recovered).toMatchObject({ status: 200, isError: false, structured: { login: 'octocat' } });
    expect((await healthOf(server)).body.status).toBe('healthy');

    const after = await credentialRow(cluster.database.url, app.instanceId);
    expect(after).toEqual(before);
    const keyRing = createKeyRing(parseKeyRingSpec(cluster.encryptionKeys));
    const access = await keyRing.decrypt(after.access_token_ciphertext, {
      ...SECRET_COLUMNS.accessToken,
      instanceId: app.instanceId,
    });
    expect(access === app.firstAccessToken).toBe(true);
    expect(cluster.fake.isTokenLive(access)).toBe(true);
    expect(server.logs.some((line) => line.msg === 'listening')).toBe(true);
  }, 60_000);
});
