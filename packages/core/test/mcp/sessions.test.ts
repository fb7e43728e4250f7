import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { HttpHandler } from '../../src/http/create-handler.js';
import { ADMIN_TOKEN, BASE } from '../http/support/harness.js';
import { gates } from './support/client-tools.js';
import { initializeBody, jsonOf, mcpRequest, sseReader } from './support/mcp-wire.js';
import { IDLE_MS, sessionWorld } from './support/session-world.js';

const world = sessionWorld();
const withSessions = world.withSessions;

async function connected(): Promise<{ instanceId: string; key: string }> {
  const instance = await world.h.seedInstance({ grantedScopes: ['read:user', 'repo'] });
  return { instanceId: instance.instanceId, key: await world.h.createKey(instance.instanceId) };
}

/** Initialises a session and returns its id (and the initialize result). */
async function initialize(
  handler: HttpHandler,
  instanceId: string,
  key: string,
  capabilities: Record<string, unknown> = {},
): Promise<{ sessionId: string; result: Record<string, unknown> }> {
  const response = await handler.handle(mcpRequest(instanceId, key, initializeBody(capabilities)));
  expect(response.status).toBe(200);
  const sessionId = response.headers.get('mcp-session-id');
  expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
  const body = await jsonOf(response);
  return { sessionId: sessionId!, result: body.result ?? {} };
}

let nextId = 100;
/** One JSON-RPC request in a session; returns the raw response. */
function inSession(
  handler: HttpHandler,
  target: { instanceId: string; key: string; sessionId: string },
  method: string,
  params: Record<string, unknown> = {},
): Promise<Response> {
  nextId += 1;
  return handler.handle(
    mcpRequest(
      target.instanceId,
      target.key,
      { jsonrpc: '2.0', id: nextId, method, params },
      { headers: { 'mcp-session-id': target.sessionId } },
    ),
  );
}

async function resultOf(response: Response): Promise<Record<string, unknown> | undefined> {
  expect(response.status).toBe(200);
  return (await jsonOf(response)).result;
}

describe('stateful sessions', () => {
  it('initialize starts a session whose server answers the requests carrying its id', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const { sessionId, result } = await initialize(handler, instanceId, key, { sampling: {} });
    expect(result.capabilities).toMatchObject({ tools: {}, logging: {}, resources: { subscribe: true } });
    expect(handler.mcp.sessionCount).toBe(1);

    const target = { instanceId, key, sessionId };
    const response = await inSession(handler, target, 'tools/call', { name: 'who_am_i', arguments: {} });
    expect(response.headers.get('mcp-session-id')).toBe(sessionId);
    expect((await resultOf(response))?.structuredContent).toMatchObject({ sessionId, sampling: true });
  });

  it('keeps logging/setLevel for the session: later log messages below the level are not sent', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const target = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    expect(
      await resultOf(await inSession(handler, target, 'logging/setLevel', { level: 'warning' })),
    ).toEqual({});
    gates.chatty.open();
    const events = sseReader(
      await inSession(handler, target, 'tools/call', { name: 'chatty', arguments: {} }),
    );
    const messages = await events.rest();
    expect(messages.map((message) => message.method ?? 'result')).toEqual([
      'notifications/message',
      'result',
    ]);
    expect(messages[0]?.params).toMatchObject({ level: 'error', data: 'something odd' });
  });

  it('requests without a session id are still served statelessly, with JSON', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const response = await handler.handle(
      mcpRequest(instanceId, key, {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'get_me', arguments: {} },
      }),
    );
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect((await resultOf(response))?.structuredContent).toMatchObject({ login: 'octocat' });
    expect(handler.mcp.sessionCount).toBe(0);
  });

  it('a session id of another instance or another API key gets the same 404 as an unknown one', async () => {
    const handler = withSessions();
    const a = await connected();
    const otherKeyOfA = await world.h.createKey(a.instanceId);
    const b = await connected();
    const { sessionId } = await initialize(handler, a.instanceId, a.key);
    const answers = await Promise.all([
      inSession(handler, { ...b, sessionId }, 'tools/list'),
      inSession(handler, { instanceId: a.instanceId, key: otherKeyOfA, sessionId }, 'tools/list'),
      inSession(handler, { ...a, sessionId: crypto.randomUUID() }, 'tools/list'),
    ]);
    const seen = await Promise.all(
      answers.map(async (response) => ({ status: response.status, body: await response.text() })),
    );
    expect(seen[0]).toEqual({
      status: 404,
      body: JSON.stringify({
        jsonrpc: '2.0',
        error: { code: -32001, message: 'Session not found' },
        id: null,
      }),
    });
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(
      world.h.logs.filter((entry) => entry.message.startsWith('refused an MCP session id')),
    ).toHaveLength(2);
    // Misuse by others does not end the owner's session.
    expect(await resultOf(await inSession(handler, { ...a, sessionId }, 'tools/list'))).toHaveProperty(
      'tools',
    );
  });

  it('an idle session expires on the injected clock; a request in flight keeps it alive', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const target = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    world.h.clock.now += IDLE_MS - 1;
    expect((await inSession(handler, target, 'ping')).status).toBe(200);

    const running = inSession(handler, target, 'tools/call', { name: 'chatty', arguments: {} });
    const events = sseReader(await running);
    expect((await events.next())?.method).toBe('notifications/message');
    world.h.clock.now += IDLE_MS * 2;
    expect((await inSession(handler, target, 'ping')).status).toBe(200);
    gates.chatty.open();
    expect((await events.rest()).at(-1)?.result).toBeDefined();

    world.h.clock.now += IDLE_MS;
    const expired = await inSession(handler, target, 'ping');
    expect(expired.status).toBe(404);
    expect(handler.mcp.sessionCount).toBe(0);
  });

  it('caps sessions per instance and in total by ending the least recently used one', async () => {
    const handler = withSessions({ maxSessionsPerInstance: 2, maxSessions: 3 });
    const a = await connected();
    const b = await connected();
    const a1 = { ...a, sessionId: (await initialize(handler, a.instanceId, a.key)).sessionId };
    const a2 = { ...a, sessionId: (await initialize(handler, a.instanceId, a.key)).sessionId };
    world.h.clock.now += 1;
    expect((await inSession(handler, a1, 'ping')).status).toBe(200);
    const a3 = { ...a, sessionId: (await initialize(handler, a.instanceId, a.key)).sessionId };
    expect((await inSession(handler, a2, 'ping')).status).toBe(404);
    expect(handler.mcp.sessionCount).toBe(2);

    const b1 = { ...b, sessionId: (await initialize(handler, b.instanceId, b.key)).sessionId };
    expect(handler.mcp.sessionCount).toBe(3);
    const b2 = { ...b, sessionId: (await initialize(handler, b.instanceId, b.key)).sessionId };
    expect(handler.mcp.sessionCount).toBe(3);
    expect((await inSession(handler, a1, 'ping')).status).toBe(404);
    for (const live of [a3, b1, b2]) expect((await inSession(handler, live, 'ping')).status).toBe(200);
  });

  it('DELETE ends the session; GET opens its stream; GET and DELETE without a session answer 405', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const target = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    const headers = { 'mcp-session-id': target.sessionId };
    const stream = await handler.handle(mcpRequest(instanceId, key, undefined, { method: 'GET', headers }));
    expect(stream.status).toBe(200);
    const events = sseReader(stream);

    const deleted = await handler.handle(
      mcpRequest(instanceId, key, undefined, { method: 'DELETE', headers }),
    );
    expect(deleted.status).toBe(200);
    expect(await events.next()).toBeNull();
    expect((await inSession(handler, target, 'ping')).status).toBe(404);
    expect(handler.mcp.sessionCount).toBe(0);

    for (const method of ['GET', 'DELETE']) {
      const response = await handler.handle(mcpRequest(instanceId, key, undefined, { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
    }
  });

  it('ending a session ends its calls still running: a JSON one with 404, a streamed one by closing', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const target = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    const waiting = inSession(handler, target, 'tools/call', { name: 'quiet', arguments: {} });
    const streamed = sseReader(
      await inSession(handler, target, 'tools/call', { name: 'chatty', arguments: {} }),
    );
    expect((await streamed.next())?.method).toBe('notifications/message');

    const headers = { 'mcp-session-id': target.sessionId };
    expect(
      (await handler.handle(mcpRequest(instanceId, key, undefined, { method: 'DELETE', headers }))).status,
    ).toBe(200);
    const answer = await waiting;
    expect(answer.status).toBe(404);
    expect((await answer.json()) as unknown).toMatchObject({ error: { code: -32001 } });
    expect(await streamed.rest()).toEqual([]);
    gates.quiet.open();
    gates.chatty.open();
  });

  it('subscribed sessions get resources/updated on their stream, from the host and from a tool', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const target = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    const other = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    const events = sseReader(
      await handler.handle(
        mcpRequest(instanceId, key, undefined, {
          method: 'GET',
          headers: { 'mcp-session-id': target.sessionId },
        }),
      ),
    );
    expect(
      await resultOf(await inSession(handler, target, 'resources/subscribe', { uri: 'test://static-text' })),
    ).toEqual({});
    const fileUri = 'files://octo/repo/contents/src/a.ts';
    expect(await resultOf(await inSession(handler, target, 'resources/subscribe', { uri: fileUri }))).toEqual(
      {},
    );
    const unknown = await jsonOf(
      await inSession(handler, target, 'resources/subscribe', { uri: 'test://nope' }),
    );
    expect(unknown.error).toMatchObject({ code: -32002 });

    expect(await handler.mcp.notifyResourceUpdated(instanceId, 'test://static-text')).toBe(1);
    expect(await events.next()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: 'test://static-text' },
    });
    // A tool of another session of the instance notifies the subscribers.
    const touched = await resultOf(
      await inSession(handler, other, 'tools/call', { name: 'touch_file', arguments: { uri: fileUri } }),
    );
    expect(touched?.structuredContent).toEqual({ notified: 1 });
    expect((await events.next())?.params).toEqual({ uri: fileUri });

    expect(
      await resultOf(
        await inSession(handler, target, 'resources/unsubscribe', { uri: 'test://static-text' }),
      ),
    ).toEqual({});
    expect(await handler.mcp.notifyResourceUpdated(instanceId, 'test://static-text')).toBe(0);
    expect(await handler.mcp.notifyResourceUpdated(crypto.randomUUID(), fileUri)).toBe(0);
    await events.cancel();
  });

  it('a session whose instance now has other tools answers 404, and a new session lists the new tools', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const target = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    const before = (await resultOf(await inSession(handler, target, 'tools/list')))?.tools as unknown[];
    const instance = await world.h.store.instances.getInstance(instanceId);
    await world.h.store.instances.updateInstance(instanceId, {
      config: { ...instance!.config, toolsets: ['context'] },
    });
    expect((await inSession(handler, target, 'tools/list')).status).toBe(404);
    expect(handler.mcp.sessionCount).toBe(0);
    const again = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    const after = (await resultOf(await inSession(handler, again, 'tools/list')))?.tools as Array<{
      name: string;
    }>;
    expect(after.map((tool) => tool.name).sort()).toEqual(['failing', 'get_me']);
    expect(after.length).toBeLessThan(before.length);
  });

  it('deleting an API key ends its sessions; deleting the instance ends all of them', async () => {
    const handler = withSessions();
    const instance = await world.h.seedInstance({ grantedScopes: ['read:user', 'repo'] });
    const { instanceId } = instance;
    const created = await handler.handle(
      new Request(`${BASE}/api/v1/instances/${instanceId}/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    const { keyId, apiKey } = (await created.json()) as { keyId: string; apiKey: string };
    const otherKey = await world.h.createKey(instanceId);
    await initialize(handler, instanceId, apiKey);
    await initialize(handler, instanceId, otherKey);
    expect(handler.mcp.sessionCount).toBe(2);
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const keyGone = await handler.handle(
      new Request(`${BASE}/api/v1/instances/${instanceId}/api-keys/${keyId}`, {
        method: 'DELETE',
        headers: admin,
      }),
    );
    expect(keyGone.status).toBe(204);
    expect(handler.mcp.sessionCount).toBe(1);
    const instanceGone = await handler.handle(
      new Request(`${BASE}/api/v1/instances/${instanceId}`, { method: 'DELETE', headers: admin }),
    );
    expect(instanceGone.status).toBe(200);
    expect(handler.mcp.sessionCount).toBe(0);
  });

  it('close() ends every session; an initialize after it is served statelessly', async () => {
    const handler = withSessions();
    const { instanceId, key } = await connected();
    const target = { instanceId, key, ...(await initialize(handler, instanceId, key)) };
    await handler.mcp.close();
    expect(handler.mcp.sessionCount).toBe(0);
    expect((await inSession(handler, target, 'ping')).status).toBe(404);
    const response = await handler.handle(mcpRequest(instanceId, key, initializeBody()));
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
  });

  it('refuses invalid session options with a ConfigError naming the option', () => {
    expect(() => withSessions({ idleTimeoutMs: 0 })).toThrow(/sessions\.idleTimeoutMs/);
    expect(() => withSessions({ maxSessionsPerInstance: 5, maxSessions: 2 })).toThrow(
      /sessions\.maxSessionsPerInstance/,
    );
  });
});

describe('server-to-client requests through a session (official SDK client)', () => {
  async function sdkClient(
    handler: HttpHandler,
    target: { instanceId: string; key: string },
    capabilities: Record<string, Record<string, unknown>>,
  ): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/${target.instanceId}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${target.key}` } },
      fetch: (input, init) => handler.handle(new Request(input, init)),
    });
    const client = new Client({ name: 'session-test', version: '1.0.0' }, { capabilities });
    await client.connect(transport);
    return client;
  }

  it('a tool samples the client’s model and elicits user input, validated against the schema', async () => {
    const handler = withSessions();
    const target = await connected();
    const client = await sdkClient(handler, target, { sampling: {}, elicitation: {} });
    const prompts: string[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      const content = request.params.messages[0]?.content;
      prompts.push(content !== undefined && 'text' in content ? String(content.text) : '?');
      return { role: 'assistant', content: { type: 'text', text: 'forty-two' }, model: 'test-model' };
    });
    let answer: Record<string, unknown> = { colour: 'green', count: 2 };
    const schemas: unknown[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      schemas.push(request.params);
      return { action: 'accept', content: answer };
    });
    try {
      const sampled = await client.callTool({ name: 'ask_model', arguments: { prompt: 'meaning of life?' } });
      expect(sampled.structuredContent).toEqual({ answer: 'forty-two', model: 'test-model' });
      expect(prompts).toEqual(['meaning of life?']);

      const elicited = await client.callTool({ name: 'ask_user', arguments: {} });
      expect(elicited.structuredContent).toEqual({
        action: 'accept',
        content: { colour: 'green', count: 2 },
      });
      expect(schemas[0]).toMatchObject({
        mode: 'form',
        message: 'Pick a colour',
        requestedSchema: { properties: { colour: { enum: ['red', 'green'], default: 'red' } } },
      });

      answer = { colour: 'green', count: 0 };
      const invalid = await client.callTool({ name: 'ask_user', arguments: {} });
      expect(invalid).toMatchObject({
        isError: true,
        content: [{ text: expect.stringMatching(/elicitation request failed.*does not match/) }],
      });
    } finally {
      await client.close();
    }
  });

  it('a client without the capability gets an isError result naming it', async () => {
    const handler = withSessions();
    const target = await connected();
    const client = await sdkClient(handler, target, {});
    try {
      for (const [name, args, capability] of [
        ['ask_model', { prompt: 'x' }, 'sampling'],
        ['ask_user', {}, 'elicitation'],
      ] as const) {
        const result = await client.callTool({ name, arguments: args });
        expect(result).toMatchObject({
          isError: true,
          content: [{ text: expect.stringContaining(`did not declare the \`${capability}\` capability`) }],
        });
      }
    } finally {
      await client.close();
    }
  });
});
