import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { ReusableServer } from '../../src/mcp/build-server.js';
import { isReusableBody, selectionOf } from '../../src/mcp/reusable-body.js';
import { createServerPool, type PoolOwner } from '../../src/mcp/server-pool.js';
import { defineTool } from '../../src/mcp/tool.js';
import { BASE, createHarness, type Harness } from '../http/support/harness.js';
import { fakeProvider } from '../http/support/provider.js';

/** Reports whether the server serving the call knows client capabilities (only an initialize sets them). */
const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Echoes the request id and whether client capabilities are known.',
  input: z.object({}),
  output: z.object({ requestId: z.string(), clientCapabilities: z.boolean() }),
  annotations: { readOnlyHint: true },
  scopes: [],
  readOnly: true,
  toolset: 'context',
  handler: async (_args, ctx) => ({
    structured: { requestId: ctx.requestId, clientCapabilities: ctx.clientCapabilities !== undefined },
  }),
});

const server = (): ReusableServer => ({
  connect: async () => Promise.reject(new Error('unused')),
  disconnect: async () => {},
});
const owner = (instanceId: string, keyId = 'k1', selection = 's'): PoolOwner => ({
  instanceId,
  keyId,
  selection,
});

describe('createServerPool', () => {
  it('hands a server back only to exactly the owner (instance, key, selection) it was given for', () => {
    const pool = createServerPool({ maxIdle: 10, maxIdlePerOwner: 2 });
    const s = server();
    pool.give(owner('i1'), s);
    expect(pool.take(owner('i2'))).toBeUndefined();
    expect(pool.take(owner('i1', 'k2'))).toBeUndefined();
    expect(pool.take(owner('i1', 'k1', 'other tools'))).toBeUndefined();
    expect(pool.take(owner('I1'))).toBe(s);
    expect(pool.take(owner('i1'))).toBeUndefined();
    expect(pool.size).toBe(0);
  });

  it('keeps at most maxIdlePerOwner per owner and maxIdle in all, dropping the least recently served owner', () => {
    const pool = createServerPool({ maxIdle: 3, maxIdlePerOwner: 2 });
    for (let i = 0; i < 3; i++) pool.give(owner('a'), server());
    expect(pool.size).toBe(2);
    pool.give(owner('b'), server());
    pool.give(owner('c'), server());
    expect(pool.size).toBe(3);
    // "a" was served first: one of its servers went.
    expect([pool.take(owner('a')), pool.take(owner('a'))].filter(Boolean)).toHaveLength(1);
    expect(pool.take(owner('b'))).toBeDefined();
    expect(pool.take(owner('c'))).toBeDefined();
  });

  it('drops the servers of an instance or a key, and keeps nothing once closed', () => {
    const pool = createServerPool({ maxIdle: 10, maxIdlePerOwner: 2 });
    pool.give(owner('i1', 'k1'), server());
    pool.give(owner('i1', 'k2'), server());
    pool.give(owner('i2', 'k3'), server());
    pool.drop({ keyId: 'K2' });
    expect(pool.take(owner('i1', 'k2'))).toBeUndefined();
    pool.drop({ instanceId: 'i1' });
    expect(pool.take(owner('i1', 'k1'))).toBeUndefined();
    pool.drop({});
    expect(pool.size).toBe(1);
    pool.close();
    pool.give(owner('i2', 'k3'), server());
    expect(pool.size).toBe(0);
  });
});

describe('isReusableBody / selectionOf', () => {
  it('pools requests that leave nothing behind, never initialize, setLevel, subscriptions or responses', () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} };
    expect(isReusableBody(call)).toBe(true);
    expect(isReusableBody([call, { jsonrpc: '2.0', method: 'notifications/initialized' }])).toBe(true);
    for (const method of ['initialize', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']) {
      expect(isReusableBody({ ...call, method })).toBe(false);
      expect(isReusableBody([call, { ...call, id: 2, method }])).toBe(false);
    }
    expect(isReusableBody({ jsonrpc: '2.0', id: 1, result: {} })).toBe(false);
    expect(isReusableBody([])).toBe(false);
    expect(isReusableBody(undefined)).toBe(false);
    expect(isReusableBody('x')).toBe(false);
  });

  it('is the same selection for the same scopes in any order, different for other config or scopes', () => {
    const config = { scopes: ['repo'], readOnly: false, toolsets: [] } as never;
    expect(selectionOf('github', config, ['b', 'a'])).toBe(selectionOf('github', config, ['a', 'b']));
    expect(selectionOf('github', config, ['a'])).not.toBe(selectionOf('github', config, ['a', 'b']));
    expect(selectionOf('github', config, ['a'])).not.toBe(selectionOf('google', config, ['a']));
  });
});

describe('stateless requests reuse idle servers of the same instance and key', () => {
  let h: Harness;
  beforeAll(async () => {
    const provider = fakeProvider();
    h = await createHarness({ provider: { ...provider, tools: [...(provider.tools ?? []), whoami] } });
  });
  afterAll(async () => {
    await h.close();
  });

  const call = (instanceId: string, key: string, requestId: string, method = 'tools/call', tool = 'get_me') =>
    h.handler.handle(
      new Request(`${BASE}/${instanceId}/mcp`, {
        method: 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'mcp-protocol-version': '2025-11-25',
          authorization: `Bearer ${key}`,
          'x-request-id': requestId,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method,
          params:
            method === 'tools/call'
              ? { name: tool, arguments: {} }
              : method === 'initialize'
                ? {
                    protocolVersion: '2025-11-25',
                    capabilities: { sampling: {}, elicitation: {} },
                    clientInfo: { name: 't', version: '0' },
                  }
                : {},
        }),
      }),
    );
  const structured = async (response: Response) =>
    ((await response.json()) as { result: { structuredContent: Record<string, unknown> } }).result
      .structuredContent;

  it('serves concurrent calls of one key each with its own request and instance, then keeps the servers', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    const before = h.handler.mcp.idleServers;
    const ids = Array.from({ length: 12 }, (_, i) => `pooled-${i}`);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        ids.map(async (id) => structured(await call(instance.instanceId, key, id))),
      );
      expect(results.map((r) => r.requestId)).toEqual(ids);
      expect(results.every((r) => r.tokenSeen === true)).toBe(true);
    }
    // Servers were kept for reuse, at most 8 for one instance and key.
    await vi.waitFor(() => expect(h.handler.mcp.idleServers - before).toBeGreaterThan(0));
    expect(h.handler.mcp.idleServers - before).toBeLessThanOrEqual(8);
  });

  it('never serves another key or instance with a pooled server, and forgets a deleted key at once', async () => {
    const a = await h.seedInstance({ userId: 'user-a' });
    const b = await h.seedInstance({ userId: 'user-b' });
    const keyA = await h.createKey(a.instanceId);
    const keyB = await h.createKey(b.instanceId);
    const start = h.handler.mcp.idleServers;
    await call(a.instanceId, keyA, 'a-1');
    await vi.waitFor(() => expect(h.handler.mcp.idleServers).toBe(start + 1));
    const fromB = await structured(await call(b.instanceId, keyB, 'b-1'));
    // B got its own server (and its own token): the idle server of A was not used.
    expect(fromB).toMatchObject({ requestId: 'b-1', tokenSeen: true });
    await vi.waitFor(() => expect(h.handler.mcp.idleServers).toBe(start + 2));
    const [record] = await h.store.apiKeys.listApiKeys(a.instanceId);
    const deleted = await h.admin('DELETE', `/api/v1/instances/${a.instanceId}/api-keys/${record?.keyId}`);
    expect(deleted.status).toBe(204);
    expect(h.handler.mcp.idleServers).toBe(start + 1);
  });

  it('does not pool a server that saw initialize (its client capabilities must not reach later calls)', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    const response = await call(instance.instanceId, key, 'init-1', 'initialize');
    expect(response.status).toBe(200);
    await response.text();
    for (let i = 0; i < 3; i++) {
      const seen = await structured(
        await call(instance.instanceId, key, `after-init-${i}`, 'tools/call', 'whoami'),
      );
      expect(seen).toEqual({ requestId: `after-init-${i}`, clientCapabilities: false });
    }
  });
});
