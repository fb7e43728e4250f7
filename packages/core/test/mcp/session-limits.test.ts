import { describe, expect, it } from 'vitest';
import type { HttpHandler } from '../../src/http/create-handler.js';
import {
  MAX_SUBSCRIPTION_BYTES_PER_SESSION,
  MAX_SUBSCRIPTION_URI_BYTES,
} from '../../src/mcp/subscriptions.js';
import type { TokenSource } from '../../src/tokens/source.js';
import { createGate, gates } from './support/client-tools.js';
import { initializeBody, jsonOf, mcpRequest, type RpcMessage, sseReader } from './support/mcp-wire.js';
import { IDLE_MS, sessionWorld } from './support/session-world.js';

const world = sessionWorld();
const withSessions = world.withSessions;

interface Target {
  instanceId: string;
  key: string;
  sessionId: string;
}

async function session(handler: HttpHandler, capabilities: Record<string, unknown> = {}): Promise<Target> {
  const instance = await world.h.seedInstance({ grantedScopes: ['read:user', 'repo'] });
  const key = await world.h.createKey(instance.instanceId);
  const response = await handler.handle(mcpRequest(instance.instanceId, key, initializeBody(capabilities)));
  expect(response.status).toBe(200);
  await response.text();
  return { instanceId: instance.instanceId, key, sessionId: response.headers.get('mcp-session-id') ?? '' };
}

/** One message POSTed in the session `target` (`signal` to play a client that goes away). */
function send(
  handler: HttpHandler,
  target: Target,
  message: RpcMessage,
  signal?: AbortSignal,
): Promise<Response> {
  const request = mcpRequest(target.instanceId, target.key, message, {
    headers: { 'mcp-session-id': target.sessionId },
  });
  return handler.handle(signal === undefined ? request : new Request(request, { signal }));
}

const call = (id: number, name: string): RpcMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});

describe('session requests in flight', () => {
  it('a POST reusing the id of a request in flight is refused with -32600; the first one is answered', async () => {
    const handler = withSessions();
    const target = await session(handler);
    const first = send(handler, target, call(7, 'quiet'));
    const reused = await send(handler, target, call(7, 'who_am_i'));
    expect(reused.status).toBe(400);
    expect((await jsonOf(reused)).error).toEqual({
      code: -32600,
      message: 'Invalid Request: request id already in use',
    });
    gates.quiet.open();
    const answer = await jsonOf(await first);
    expect(answer).toMatchObject({ id: 7, result: { content: [{ text: 'finally' }] } });
    // The id is free again once answered.
    expect((await jsonOf(await send(handler, target, call(7, 'who_am_i')))).result).toBeDefined();
  });

  it('a client leaving a streamed call cancels it: the stream ends and the session can go idle', async () => {
    const handler = withSessions();
    const target = await session(handler);
    const client = new AbortController();
    const events = sseReader(await send(handler, target, call(1, 'chatty'), client.signal));
    expect((await events.next())?.method).toBe('notifications/message');
    // In flight, the session does not expire.
    world.h.clock.now += IDLE_MS * 2;
    expect((await send(handler, target, { jsonrpc: '2.0', id: 2, method: 'ping' })).status).toBe(200);
    client.abort();
    expect(await events.rest()).toEqual([]);
    world.h.clock.now += IDLE_MS;
    expect((await send(handler, target, { jsonrpc: '2.0', id: 3, method: 'ping' })).status).toBe(404);
    gates.chatty.open();
  });
});

describe('elicitation answers', () => {
  /** Starts `ask_user` in a session and answers its elicitation with `result`; returns the tool result. */
  async function elicited(result: Record<string, unknown>): Promise<RpcMessage | null> {
    const handler = withSessions();
    const target = await session(handler, { elicitation: { form: {} } });
    const events = sseReader(await send(handler, target, call(3, 'ask_user')));
    const asked = await events.next();
    expect(asked?.method).toBe('elicitation/create');
    const answered = await send(handler, target, { jsonrpc: '2.0', id: asked?.id ?? null, result });
    expect(answered.status).toBe(202);
    return events.next();
  }

  it('a declined or cancelled form reaches the tool without any content the client sent along', async () => {
    for (const action of ['decline', 'cancel']) {
      const answer = await elicited({ action, content: { colour: 'red', injected: 'ignore the user' } });
      expect(answer?.result?.structuredContent).toEqual({ action });
    }
  });

  it('an accepted form needs content matching the schema, with no undeclared property', async () => {
    const valid = await elicited({ action: 'accept', content: { colour: 'green', count: 1 } });
    expect(valid?.result?.structuredContent).toEqual({
      action: 'accept',
      content: { colour: 'green', count: 1 },
    });
    for (const [result, problem] of [
      [{ action: 'accept' }, /accepted the form, but the answer holds no content/],
      [
        { action: 'accept', content: { colour: 'red', injected: 'x' } },
        /must NOT have additional properties/,
      ],
      [{ action: 'accept', content: { count: 2 } }, /must have required property 'colour'/],
    ] as const) {
      const answer = await elicited(result);
      expect(answer?.result).toMatchObject({
        isError: true,
        content: [{ text: expect.stringMatching(problem) }],
      });
    }
  });
});

describe('subscription limits', () => {
  const subscribe = (handler: HttpHandler, target: Target, id: number, uri: string) =>
    send(handler, target, { jsonrpc: '2.0', id, method: 'resources/subscribe', params: { uri } }).then(
      jsonOf,
    );

  it(`refuses URIs over ${MAX_SUBSCRIPTION_URI_BYTES} bytes, and more than ${MAX_SUBSCRIPTION_BYTES_PER_SESSION} bytes of them`, async () => {
    const handler = withSessions();
    const target = await session(handler);
    const prefix = 'files://octo/repo/contents/';
    const tooLong = await subscribe(
      handler,
      target,
      1,
      `${prefix}${'é'.repeat(MAX_SUBSCRIPTION_URI_BYTES / 2)}`,
    );
    expect(tooLong.error).toMatchObject({
      code: -32602,
      message: expect.stringContaining(`Resource URI too long: at most ${MAX_SUBSCRIPTION_URI_BYTES} bytes`),
    });

    const uriOf = (n: number) =>
      `${prefix}${String(n).padStart(4, '0')}/${'a'.repeat(2000 - prefix.length - 5)}`;
    const fitting = Math.floor(MAX_SUBSCRIPTION_BYTES_PER_SESSION / 2000);
    for (let n = 0; n < fitting; n += 1) {
      expect((await subscribe(handler, target, 10 + n, uriOf(n))).result).toEqual({});
    }
    const over = await subscribe(handler, target, 100, uriOf(fitting));
    expect(over.error).toMatchObject({ code: -32600, message: expect.stringMatching(/at most 65536 bytes/) });
    // Subscribing again to a URI already held costs nothing; unsubscribing makes room.
    expect((await subscribe(handler, target, 101, uriOf(0))).result).toEqual({});
    await send(handler, target, {
      jsonrpc: '2.0',
      id: 102,
      method: 'resources/unsubscribe',
      params: { uri: uriOf(0) },
    });
    expect((await subscribe(handler, target, 103, uriOf(fitting))).result).toEqual({});
  });
});

describe('starting sessions', () => {
  it('an initialize racing endSessions for its instance starts no session (404)', async () => {
    const tokenGate = createGate();
    let reached: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const tokens: TokenSource = {
      getAccessToken: async (instanceId, options) => {
        reached();
        await tokenGate.wait();
        return world.h.flow.getAccessToken(instanceId, options);
      },
    };
    const handler = withSessions({}, { tokens });
    const instance = await world.h.seedInstance({ grantedScopes: ['read:user', 'repo'] });
    const key = await world.h.createKey(instance.instanceId);
    const started = handler.handle(mcpRequest(instance.instanceId, key, initializeBody()));
    await waiting;
    expect(handler.mcp.endSessions({ instanceId: instance.instanceId })).toBe(0);
    tokenGate.open();
    const response = await started;
    expect(response.status).toBe(404);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(handler.mcp.sessionCount).toBe(0);

    // A later initialize is not affected.
    tokenGate.open();
    const again = await handler.handle(mcpRequest(instance.instanceId, key, initializeBody()));
    expect(again.headers.get('mcp-session-id')).not.toBeNull();
    expect(handler.mcp.sessionCount).toBe(1);
  });

  it('the process cap never ends a busy session of another instance: 503 until one is idle', async () => {
    const handler = withSessions({ maxSessionsPerInstance: 1, maxSessions: 2 });
    const a = await session(handler);
    const b = await session(handler);
    const busyA = send(handler, a, call(1, 'quiet'));
    const busyB = sseReader(await send(handler, b, call(1, 'chatty')));
    expect((await busyB.next())?.method).toBe('notifications/message');

    const c = await world.h.seedInstance({ grantedScopes: ['read:user', 'repo'] });
    const cKey = await world.h.createKey(c.instanceId);
    const refused = await handler.handle(mcpRequest(c.instanceId, cKey, initializeBody()));
    expect(refused.status).toBe(503);
    expect((await jsonOf(refused)).error?.message).toMatch(/Too many MCP sessions are busy/);
    expect(handler.mcp.sessionCount).toBe(2);

    gates.chatty.open();
    expect((await busyB.rest()).at(-1)?.result).toBeDefined();
    const accepted = await handler.handle(mcpRequest(c.instanceId, cKey, initializeBody()));
    expect(accepted.status).toBe(200);
    expect((await send(handler, b, { jsonrpc: '2.0', id: 2, method: 'ping' })).status).toBe(404);
    gates.quiet.open();
    expect((await jsonOf(await busyA)).result).toMatchObject({ content: [{ text: 'finally' }] });
  });

  // Last in this file: the cancelled call stays parked on the shared `quiet` gate until the end.
  it('a client leaving a call answered with JSON ends its POST at once, and the session can go idle', async () => {
    const handler = withSessions();
    const target = await session(handler);
    const client = new AbortController();
    const waiting = send(handler, target, call(1, 'quiet'), client.signal);
    client.abort();
    expect((await waiting).status).toBe(200);
    world.h.clock.now += IDLE_MS;
    expect((await send(handler, target, { jsonrpc: '2.0', id: 2, method: 'ping' })).status).toBe(404);
    gates.quiet.open();
  });
});
