import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceError, RefreshError, StoreError } from '../../src/errors/index.js';
import type { HttpHandler } from '../../src/http/create-handler.js';
import type { InstanceConfig } from '../../src/store/ports.js';
import { BASE, createHarness, errorOf, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const MCP_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2025-11-25',
};

interface RpcResponse {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

function mcpRequest(
  instanceId: string,
  key: string,
  body: unknown,
  init: { method?: string; headers?: Record<string, string> } = {},
): Request {
  const method = init.method ?? 'POST';
  return new Request(`${BASE}/${instanceId}/mcp`, {
    method,
    headers: { ...MCP_HEADERS, authorization: `Bearer ${key}`, ...init.headers },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
}

async function rpc(
  instanceId: string,
  key: string,
  method: string,
  params: Record<string, unknown> = {},
  handler: HttpHandler = h.handler,
  headers: Record<string, string> = {},
): Promise<RpcResponse> {
  const response = await handler.handle(
    mcpRequest(instanceId, key, { jsonrpc: '2.0', id: 1, method, params }, { headers }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as RpcResponse;
}

async function connected(
  options: {
    config?: Partial<InstanceConfig>;
    grantedScopes?: string[];
    status?: 'active' | 'needs_reauth';
  } = {},
): Promise<{ instanceId: string; key: string }> {
  const instance = await h.seedInstance(options);
  return { instanceId: instance.instanceId, key: await h.createKey(instance.instanceId) };
}

async function toolNames(instanceId: string, key: string): Promise<string[]> {
  const response = await rpc(instanceId, key, 'tools/list');
  return ((response.result?.tools ?? []) as Array<{ name: string }>).map((tool) => tool.name).sort();
}

describe('MCP over stateless Streamable HTTP', () => {
  it('answers initialize without a session id', async () => {
    const { instanceId, key } = await connected();
    const response = await h.handler.handle(
      mcpRequest(instanceId, key, {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'test', version: '1' },
        },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
    const body = (await response.json()) as RpcResponse;
    expect(body.result).toMatchObject({
      protocolVersion: '2025-11-25',
      capabilities: { tools: {} },
      serverInfo: { name: 'mcp-oauth-fakehub', version: '9.9.9-test' },
    });
  });

  it('accepts notifications with 202', async () => {
    const { instanceId, key } = await connected();
    const response = await h.handler.handle(
      mcpRequest(instanceId, key, { jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    expect(response.status).toBe(202);
  });

  it('lists tools without a prior initialize (stateless), with schemas and annotations', async () => {
    const { instanceId, key } = await connected({ grantedScopes: ['read:user', 'repo'] });
    const response = await rpc(instanceId, key, 'tools/list');
    const tools = response.result?.tools as Array<Record<string, unknown>>;
    expect(tools.map((tool) => tool.name).sort()).toEqual(['create_issue', 'failing', 'get_me']);
    const createIssue = tools.find((tool) => tool.name === 'create_issue');
    expect(createIssue).toMatchObject({
      title: 'Create an issue',
      annotations: { readOnlyHint: false },
      inputSchema: { type: 'object', properties: { title: { type: 'string' } } },
      outputSchema: { type: 'object', properties: { number: { type: 'number' } } },
    });
  });

  it('hides tools whose scopes were not granted (granted scopes come from the credential)', async () => {
    const { instanceId, key } = await connected({
      config: { scopes: ['read:user', 'repo'] },
      grantedScopes: ['read:user'],
    });
    expect(await toolNames(instanceId, key)).toEqual(['failing', 'get_me']);
  });

  it('lists only read-only tools for a read-only instance', async () => {
    const { instanceId, key } = await connected({
      config: { readOnly: true },
      grantedScopes: ['read:user', 'repo'],
    });
    const names = await toolNames(instanceId, key);
    expect(names).not.toContain('create_issue');
    expect(names).toEqual(['failing', 'get_me']);
    const call = await rpc(instanceId, key, 'tools/call', {
      name: 'create_issue',
      arguments: { title: 'x' },
    });
    expect(JSON.stringify(call)).toMatch(/not found/i);
  });

  it('limits tools to the enabled toolsets', async () => {
    const { instanceId, key } = await connected({
      config: { toolsets: ['issues'] },
      grantedScopes: ['read:user', 'repo'],
    });
    expect(await toolNames(instanceId, key)).toEqual(['create_issue']);
  });

  it('calls a tool with the instance token and returns structured content', async () => {
    const { instanceId, key } = await connected();
    const response = await rpc(instanceId, key, 'tools/call', { name: 'get_me', arguments: {} }, h.handler, {
      'x-request-id': 'call-1',
    });
    expect(response.result).toMatchObject({
      structuredContent: { login: 'octocat', tokenSeen: true, requestId: 'call-1' },
      content: [{ type: 'text', text: expect.stringContaining('octocat') }],
    });
    expect(response.result?.isError).toBeUndefined();
  });

  it("uses each instance's own token (a fresh server per request)", async () => {
    const a = await connected();
    const b = await connected();
    const callA = h.flow.calls.getAccessToken.length;
    await rpc(a.instanceId, a.key, 'tools/call', { name: 'get_me', arguments: {} });
    await rpc(b.instanceId, b.key, 'tools/call', { name: 'get_me', arguments: {} });
    expect(h.flow.calls.getAccessToken.slice(callA)).toEqual([a.instanceId, b.instanceId]);
  });

  it('returns the text rendering given by the tool', async () => {
    const { instanceId, key } = await connected();
    const response = await rpc(instanceId, key, 'tools/call', {
      name: 'create_issue',
      arguments: { title: 'abc' },
    });
    expect(response.result).toMatchObject({
      structuredContent: { number: 3 },
      content: [{ type: 'text', text: 'created #3' }],
    });
  });

  it('rejects invalid tool arguments without running the tool', async () => {
    const { instanceId, key } = await connected();
    const response = await rpc(instanceId, key, 'tools/call', {
      name: 'create_issue',
      arguments: { title: '' },
    });
    expect(JSON.stringify(response)).toMatch(/Input validation error/);
  });

  it('answers 405 with Allow: POST to GET and DELETE', async () => {
    const { instanceId, key } = await connected();
    for (const method of ['GET', 'DELETE']) {
      const response = await h.handler.handle(mcpRequest(instanceId, key, undefined, { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
    }
  });

  it('requires the API key before anything else', async () => {
    const { instanceId } = await connected();
    const response = await h.handler.handle(
      new Request(`${BASE}/${instanceId}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      }),
    );
    expect(await errorOf(response)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it("answers another instance's key with 404 on /mcp", async () => {
    const mine = await connected();
    const other = await connected();
    const response = await h.handler.handle(
      mcpRequest(other.instanceId, mine.key, { jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    expect(await errorOf(response)).toMatchObject({ status: 404, code: 'INSTANCE_NOT_FOUND' });
  });

  it('validates Host and Origin against allowedHosts (DNS rebinding)', async () => {
    const { instanceId, key } = await connected();
    const handler = h.make({ allowedHosts: ['localhost:49296', '127.0.0.1'] });
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const ok = await handler.handle(mcpRequest(instanceId, key, body));
    expect(ok.status).toBe(200);
    const anyPort = await handler.handle(
      mcpRequest(instanceId, key, body, { headers: { host: '127.0.0.1:8080' } }),
    );
    expect(anyPort.status).toBe(200);
    for (const headers of [
      { host: 'evil.example:49296' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
    ] as Array<Record<string, string>>) {
      const response = await handler.handle(mcpRequest(instanceId, key, body, { headers }));
      expect(await errorOf(response)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
  });

  it('keeps JSON-RPC errors of the transport (406 without the right Accept, 400 parse error)', async () => {
    const { instanceId, key } = await connected();
    const notAcceptable = await h.handler.handle(
      mcpRequest(
        instanceId,
        key,
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { headers: { accept: 'application/json' } },
      ),
    );
    expect(notAcceptable.status).toBe(406);
    const malformed = await h.handler.handle(
      new Request(`${BASE}/${instanceId}/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${key}` },
        body: '{"jsonrpc":',
      }),
    );
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as RpcResponse).error?.code).toBe(-32700);
  });

  it('refuses an oversized MCP body with 413', async () => {
    const { instanceId, key } = await connected();
    const handler = h.make({ mcpMaxBodyBytes: 1024 });
    const response = await handler.handle(
      mcpRequest(instanceId, key, {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'get_me', arguments: { pad: 'x'.repeat(2048) } },
      }),
    );
    expect(response.status).toBe(413);
  });
});

describe('tool failures become isError results a model can act on', () => {
  async function callFailing(
    instanceId: string,
    key: string,
    mode: string,
  ): Promise<{ isError?: boolean; text: string }> {
    const response = await rpc(
      instanceId,
      key,
      'tools/call',
      { name: 'failing', arguments: { mode } },
      h.handler,
      {
        'x-request-id': 'fail-req',
      },
    );
    const result = response.result as { isError?: boolean; content: Array<{ text: string }> };
    return { isError: result.isError, text: result.content[0]?.text ?? '' };
  }

  it('an upstream 401 asks for a reconnect', async () => {
    const { instanceId, key } = await connected();
    expect(await callFailing(instanceId, key, 'unauthorized')).toEqual({
      isError: true,
      text: expect.stringMatching(/FakeHub account must be reconnected/),
    });
  });

  it('an upstream 429 asks to retry later', async () => {
    const { instanceId, key } = await connected();
    expect((await callFailing(instanceId, key, 'rate_limited')).text).toMatch(
      /rate limited, retry after 30 s/,
    );
  });

  it('an unexpected error gives a generic message with the request id and logs the details', async () => {
    const { instanceId, key } = await connected();
    const result = await callFailing(instanceId, key, 'boom');
    expect(result).toEqual({ isError: true, text: 'The tool failed unexpectedly (request id fail-req).' });
    expect(result.text).not.toContain('secret-internal-detail');
    expect(
      h.logs.some((entry) => entry.message === 'tool call failed' && entry.fields.requestId === 'fail-req'),
    ).toBe(true);
  });

  it('a needs_reauth instance still lists its tools and every call says to reconnect', async () => {
    const { instanceId, key } = await connected({
      status: 'needs_reauth',
      config: { scopes: ['read:user'] },
    });
    expect(await toolNames(instanceId, key)).toEqual(['failing', 'get_me']);
    const response = await rpc(instanceId, key, 'tools/call', { name: 'get_me', arguments: {} });
    expect(response.result).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: expect.stringMatching(/must be reconnected/) }],
    });
  });

  it('a transient refresh failure says when to retry', async () => {
    const { instanceId, key } = await connected();
    h.flow.failAccess(
      instanceId,
      new RefreshError('REFRESH_TRANSIENT', 'upstream 503', { retryAfterMs: 12_500 }),
    );
    const response = await rpc(instanceId, key, 'tools/call', { name: 'get_me', arguments: {} });
    expect(response.result).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: 'FakeHub is temporarily unavailable; retry after 13 s.' }],
    });
    h.flow.failAccess(instanceId, new RefreshError('REFRESH_TERMINAL', 'invalid_grant'));
    const terminal = await rpc(instanceId, key, 'tools/call', { name: 'get_me', arguments: {} });
    expect(JSON.stringify(terminal)).toMatch(/must be reconnected/);
    h.flow.failAccess(instanceId, new InstanceError('INSTANCE_NEEDS_REAUTH', 'reauth'));
    const reauth = await rpc(instanceId, key, 'tools/call', { name: 'get_me', arguments: {} });
    expect(JSON.stringify(reauth)).toMatch(/must be reconnected/);
    h.flow.failAccess(instanceId, undefined);
  });

  it('a store outage while preparing the server answers 503 over HTTP', async () => {
    const { instanceId, key } = await connected();
    h.flow.failAccess(instanceId, new StoreError('STORE_UNAVAILABLE', 'connection refused'));
    try {
      const response = await h.handler.handle(
        mcpRequest(instanceId, key, { jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      );
      expect(await errorOf(response)).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    } finally {
      h.flow.failAccess(instanceId, undefined);
    }
  });
});

it('the official MCP client connects, lists and calls tools through handle()', async () => {
  const instance = await h.seedInstance({ config: { readOnly: true }, grantedScopes: ['read:user', 'repo'] });
  const key = await h.createKey(instance.instanceId);
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/${instance.instanceId}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
    fetch: (input, init) => h.handler.handle(new Request(input, init)),
  });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['failing', 'get_me']);
    const result = await client.callTool({ name: 'get_me', arguments: {} });
    expect(result.structuredContent).toMatchObject({ login: 'octocat', tokenSeen: true });
  } finally {
    await client.close();
  }
});

describe('HttpHandler.close', () => {
  it('writes the tool-call audit records still queued before resolving (review finding 9), or says it could not', async () => {
    const { instanceId, key } = await connected();
    const base = h.store;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const written: string[] = [];
    const write = async (events: readonly { event: string }[]) => {
      await gate;
      written.push(...events.map((event) => event.event));
    };
    const handler = h.make({
      store: {
        ...base,
        audit: { ...base.audit, appendAudit: (event) => write([event]), appendAudits: write },
      },
    });
    await rpc(instanceId, key, 'tools/call', { name: 'get_me', arguments: {} }, handler);
    await rpc(instanceId, key, 'tools/call', { name: 'get_me', arguments: {} }, handler);
    expect(written).toEqual([]);
    expect(await handler.close({ timeoutMs: 1 })).toBe(false);
    const closing = handler.close({ timeoutMs: 60_000 });
    open();
    expect(await closing).toBe(true);
    expect(written).toEqual(['tool.called', 'tool.called']);
  });
});
