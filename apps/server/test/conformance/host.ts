import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import {
  type AccessToken,
  createHttpHandler,
  createKeyRing,
  createOAuthFlow,
  generateKey,
  registerServices,
  silentLogger,
  type TokenSource,
} from '@org/mcp-oauth-core';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '@org/mcp-oauth-core/kysely';
import { Kysely } from 'kysely';
import { createNodeHandler } from '../../src/node-adapter.js';
import { conformanceProvider } from './provider.js';

/** A running host serving the conformance provider's one instance. */
export interface ConformanceHost {
  /** MCP endpoint of the instance (`http://127.0.0.1:<port>/<instanceId>/mcp`), without credentials. */
  url: string;
  close(): Promise<void>;
}

const ADMIN_TOKEN = `conformance-admin-${crypto.randomUUID()}`;

/**
 * Starts core's HTTP handler (PGlite store, the conformance provider, DNS-rebinding protection for localhost,
 * MCP sessions on) on a loopback port with one active instance and an API key. The conformance CLI cannot send an
 * `Authorization` header, so a test-only wrapper adds the instance's API key to every request before core's
 * handler authenticates it; everything else (routing, API-key check, Host/Origin check, MCP) is core's. Core
 * gets a fixed token source: the fixtures call no upstream.
 */
export async function startConformanceHost(): Promise<ConformanceHost> {
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
  await migrateToLatest(db);
  const store = createKyselyStore(db, { locking: 'in-process' });
  const provider = conformanceProvider();
  await registerServices(store, [provider]);
  const keyRing = createKeyRing([{ id: 'conformance', key: generateKey() }]);
  const flow = createOAuthFlow({
    store,
    keyRing,
    providers: [provider],
    callbackUrl: (service) => `http://localhost/oauth/${service}/callback`,
  });
  const instanceId = crypto.randomUUID();
  await store.instances.createInstance({
    instanceId,
    serviceName: provider.id,
    userId: 'conformance',
    status: 'pending_oauth',
    config: { scopes: [], readOnly: false, toolsets: null, clientId: null, clientSecretCiphertext: null },
  });
  const instance = await store.instances.updateInstance(instanceId, { status: 'active' });
  const tokens: TokenSource = {
    getAccessToken: async (): Promise<AccessToken> => ({
      accessToken: 'conformance-upstream-token',
      tokenType: 'bearer',
      expiresAt: null,
      grantedScopes: [],
      instance,
    }),
  };
  const core = createHttpHandler({
    flow,
    store,
    tokens,
    adminToken: ADMIN_TOKEN,
    version: '0.0.0-conformance',
    logger: silentLogger,
    allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    mcpSessions: {},
  });
  const created = await core.handle(
    new Request(`http://localhost/api/v1/instances/${instanceId}/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'conformance' }),
    }),
  );
  if (created.status !== 201) throw new Error(`api key creation failed: ${created.status}`);
  const { apiKey } = (await created.json()) as { apiKey: string };

  const withKey = (request: Request): Promise<Response> => {
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${apiKey}`);
    return core.handle(new Request(request, { headers }));
  };
  const node = createNodeHandler({ handle: withKey, publicUrl: 'http://localhost', logger: silentLogger });
  const server: Server = createServer(node.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${instanceId}/mcp`,
    async close() {
      await core.mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
      await pglite.close();
    },
  };
}
