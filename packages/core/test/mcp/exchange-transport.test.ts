import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, vi } from 'vitest';
import {
  createExchangeTransport,
  type ExchangeTransport,
  type ExchangeTransportOptions,
} from '../../src/mcp/exchange-transport.js';
import { jsonOf, MCP_HEADERS, sseReader } from './support/mcp-wire.js';

/** A started stateless transport whose dispatched messages are recorded. */
async function started(): Promise<{ transport: ExchangeTransport<string>; dispatched: JSONRPCMessage[] }> {
  const inner = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  const transport = createExchangeTransport<string>(inner);
  const dispatched: JSONRPCMessage[] = [];
  transport.onmessage = (message) => {
    dispatched.push(message);
  };
  await transport.start();
  return { transport, dispatched };
}

function post(body: unknown): Request {
  return new Request('http://localhost/mcp', {
    method: 'POST',
    headers: MCP_HEADERS,
    body: JSON.stringify(body),
  });
}

const ping = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'ping' });
const result = (id: number) => ({ jsonrpc: '2.0' as const, id, result: {} });
const log = (text: string) => ({
  jsonrpc: '2.0' as const,
  method: 'notifications/message',
  params: { level: 'info', data: text },
});

describe('ExchangeTransport', () => {
  it('answers with JSON when every response comes before any notification (a batch gives an array)', async () => {
    const { transport, dispatched } = await started();
    const batch = [ping(1), ping(2)];
    const pending = transport.handle(post(batch), 'exchange-a', batch);
    expect(dispatched).toEqual(batch);
    expect([transport.exchangeOf(1), transport.exchangeOf(2)]).toEqual(['exchange-a', 'exchange-a']);
    await transport.send(result(2));
    await transport.send(result(1));
    const { response, settled } = await pending;
    await settled;
    expect(await response.json()).toEqual([result(1), result(2)]);
    expect(transport.exchangeOf(1)).toBeUndefined();
  });

  it('turns into a stream at the first related notification, replaying responses made before it', async () => {
    const { transport } = await started();
    const batch = [ping(1), ping(2)];
    const pending = transport.handle(post(batch), 'exchange-b', batch);
    await transport.send(result(1));
    await transport.send(log('working'), { relatedRequestId: 2 });
    const { response, settled } = await pending;
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const events = sseReader(response);
    expect(await events.next()).toEqual(result(1));
    expect(await events.next()).toEqual(log('working'));
    expect(transport.exchangeOf(2)).toBe('exchange-b');
    await transport.send(log('almost'), { relatedRequestId: 2 });
    await transport.send(result(2));
    expect(await events.rest()).toEqual([log('almost'), result(2)]);
    await settled;
    expect(transport.exchangeOf(2)).toBeUndefined();
  });

  it('after the client left the stream, notifications are dropped and requests to the client fail', async () => {
    const { transport } = await started();
    const pending = transport.handle(post(ping(3)), 'exchange-c', ping(3));
    await transport.send(log('first'), { relatedRequestId: 3 });
    const events = sseReader((await pending).response);
    await events.cancel();
    await expect(transport.send(log('lost'), { relatedRequestId: 3 })).resolves.toBeUndefined();
    await expect(
      transport.send(
        { jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: {} },
        { relatedRequestId: 3 },
      ),
    ).rejects.toThrow(/closed the response stream/);
  });

  it('a request the client cancels stops being waited for: the POST ends with what was answered', async () => {
    const cancel = (requestId: number) => ({
      jsonrpc: '2.0' as const,
      method: 'notifications/cancelled',
      params: { requestId, reason: 'user stopped it' },
    });
    const session = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => 'session-1',
      enableJsonResponse: true,
    });
    const transport = createExchangeTransport<string>(session);
    await transport.start();
    const init = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    const initialized = transport.handle(post(init), 'init', init);
    await transport.send(result(0));
    expect((await initialized).response.headers.get('mcp-session-id')).toBe('session-1');
    const inSession = (body: unknown) =>
      new Request('http://localhost/mcp', {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'mcp-session-id': 'session-1' },
        body: JSON.stringify(body),
      });

    const batch = [ping(1), ping(2)];
    const both = transport.handle(inSession(batch), 'batch', batch);
    await transport.send(result(1));
    await transport.handle(inSession(cancel(2)), 'cancel', cancel(2));
    const answered = await both;
    await answered.settled;
    expect(await answered.response.json()).toEqual(result(1));
    expect(transport.exchangeOf(2)).toBeUndefined();

    const alone = transport.handle(inSession(ping(3)), 'alone', ping(3));
    await transport.handle(inSession(cancel(3)), 'cancel', cancel(3));
    const ended = await alone;
    await ended.settled;
    expect(await sseReader(ended.response).rest()).toEqual([]);
  });

  it('a POST of notifications only is accepted with 202; a refused POST forgets its requests', async () => {
    const { transport } = await started();
    const notified = await transport.handle(post(log('n')), 'exchange-d', log('n'));
    expect(notified.response.status).toBe(202);
    await notified.settled;

    const fresh = (await started()).transport;
    const invalid = { jsonrpc: '2.0', id: 9, method: 'x', params: 1 };
    const refused = await fresh.handle(post(invalid), 'exchange-e', invalid);
    expect(refused.response.status).toBe(400);
    await refused.settled;
    expect(fresh.exchangeOf(9)).toBeUndefined();
    expect((await jsonOf(refused.response)).error?.code).toBe(-32700);
  });
});

/** Sizes of the SDK transport's private correlation tables (what typescript-sdk#2559 leaks). */
function sdkTables(inner: WebStandardStreamableHTTPServerTransport): number[] {
  return ['_streamMapping', '_requestToStreamMapping', '_requestResponseMap'].map((name) => {
    const table: unknown = Reflect.get(inner, name);
    expect(table).toBeInstanceOf(Map);
    return (table as Map<unknown, unknown>).size;
  });
}

/** A started session transport (`session-1`), already initialised, answering nothing by itself. */
async function inSessionTransport(options: ExchangeTransportOptions<string> = {}) {
  const inner = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => 'session-1',
    enableJsonResponse: true,
  });
  const transport = createExchangeTransport<string>(inner, options);
  const dispatched: JSONRPCMessage[] = [];
  transport.onmessage = (message) => {
    dispatched.push(message);
  };
  await transport.start();
  const init = {
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  };
  const initialized = transport.handle(post(init), 'init', init);
  await vi.waitFor(() => expect(dispatched).toHaveLength(1));
  await transport.send({ jsonrpc: '2.0', id: 'init', result: {} } as JSONRPCMessage);
  await (await initialized).settled;
  const request = (body: unknown, signal?: AbortSignal) =>
    new Request('http://localhost/mcp', {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'mcp-session-id': 'session-1' },
      body: JSON.stringify(body),
      ...(signal === undefined ? {} : { signal }),
    });
  return { inner, transport, dispatched, request };
}

const cancelled = (requestId: number) => ({
  jsonrpc: '2.0' as const,
  method: 'notifications/cancelled',
  params: { requestId, reason: 'stop' },
});

describe('ExchangeTransport in a long-lived session', () => {
  it('keeps no SDK stream entry of answered, streamed or cancelled POSTs (typescript-sdk#2559)', async () => {
    const { inner, transport, request } = await inSessionTransport();
    expect(sdkTables(inner)).toEqual([0, 0, 0]);
    for (let id = 1; id <= 300; id += 1) {
      const pending = transport.handle(request(ping(id)), 'json', ping(id));
      await transport.send(result(id));
      expect(await (await pending).response.json()).toEqual(result(id));
    }
    for (let id = 301; id <= 350; id += 1) {
      const pending = transport.handle(request(ping(id)), 'streamed', ping(id));
      await transport.send(log('working'), { relatedRequestId: id });
      await transport.send(result(id));
      expect(await sseReader((await pending).response).rest()).toEqual([log('working'), result(id)]);
    }
    for (let id = 351; id <= 400; id += 2) {
      const batch = [ping(id), ping(id + 1)];
      const pending = transport.handle(request(batch), 'cancelled', batch);
      await transport.send(result(id));
      await transport.handle(request(cancelled(id + 1)), 'cancel', cancelled(id + 1));
      const { response, settled } = await pending;
      await settled;
      expect(await response.json()).toEqual(result(id));
    }
    // Before the workaround: 351 stream entries, 25 request correlations and 25 stored responses.
    expect(sdkTables(inner)).toEqual([0, 0, 0]);
  });

  it('refuses a POST reusing the id of a request in flight (or an id twice) before dispatch', async () => {
    const { transport, dispatched, request } = await inSessionTransport();
    const first = transport.handle(request(ping(7)), 'first', ping(7));
    const reused = await transport.handle(request(ping(7)), 'second', ping(7));
    expect(reused.response.status).toBe(400);
    expect(await reused.response.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request: request id already in use' },
      id: null,
    });
    const twice = [ping(8), ping(8)];
    expect((await transport.handle(request(twice), 'batch', twice)).response.status).toBe(400);
    expect(dispatched.filter((message) => 'id' in message && message.id !== 'init')).toEqual([ping(7)]);
    expect(transport.exchangeOf(7)).toBe('first');
    await transport.send(result(7));
    expect(await (await first).response.json()).toEqual(result(7));
    const again = transport.handle(request(ping(7)), 'later', ping(7));
    await transport.send(result(7));
    expect((await again).response.status).toBe(200);
  });

  it('a POST whose client goes away ends at once and its requests are cancelled', async () => {
    const { inner, transport, dispatched, request } = await inSessionTransport();
    const client = new AbortController();
    const pending = transport.handle(request(ping(1), client.signal), 'gone', ping(1));
    expect(dispatched.at(-1)).toEqual(ping(1));
    client.abort();
    const { response, settled } = await pending;
    await settled;
    expect(await response.text()).toBe('');
    expect(dispatched.at(-1)).toMatchObject({
      method: 'notifications/cancelled',
      params: { requestId: 1, reason: 'The client disconnected.' },
    });
    expect(transport.exchangeOf(1)).toBeUndefined();
    expect(sdkTables(inner)).toEqual([0, 0, 0]);

    const early = new AbortController();
    early.abort();
    const gone = await transport.handle(request(ping(2), early.signal), 'gone before', ping(2));
    await gone.settled;
    expect(dispatched.slice(-2)).toMatchObject([ping(2), { params: { requestId: 2 } }]);
    expect(sdkTables(inner)).toEqual([0, 0, 0]);
  });

  it('closing the transport ends every waiting POST: JSON with 404, a stream by closing', async () => {
    const { transport, request } = await inSessionTransport();
    const waiting = transport.handle(request(ping(1)), 'json', ping(1));
    const streaming = transport.handle(request(ping(2)), 'stream', ping(2));
    await transport.send(log('started'), { relatedRequestId: 2 });
    const events = sseReader((await streaming).response);
    await transport.close();
    expect((await waiting).response.status).toBe(404);
    await (await waiting).settled;
    expect(await events.rest()).toEqual([log('started')]);
  });

  it('gives up a stream whose client stops reading once more than maxQueuedBytes wait', async () => {
    const overflowed: string[] = [];
    const chunk = log('x'.repeat(1000));
    const eventBytes = new TextEncoder().encode(`event: message\ndata: ${JSON.stringify(chunk)}\n\n`).length;
    const { transport, request } = await inSessionTransport({
      maxQueuedBytes: 4 * eventBytes,
      onStreamOverflow: (exchange) => overflowed.push(exchange),
    });
    const pending = transport.handle(request(ping(1)), 'slow reader', ping(1));
    await transport.send(chunk, { relatedRequestId: 1 });
    const { response, settled } = await pending;
    for (let sent = 1; sent < 4; sent += 1) await transport.send(chunk, { relatedRequestId: 1 });
    expect(overflowed).toEqual([]);
    await transport.send(chunk, { relatedRequestId: 1 });
    expect(overflowed).toEqual(['slow reader']);
    await transport.send(chunk, { relatedRequestId: 1 });
    await expect(
      transport.send(
        { jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: {} },
        { relatedRequestId: 1 },
      ),
    ).rejects.toThrow(/closed the response stream/);
    expect(overflowed).toHaveLength(1);
    await expect(response.text()).rejects.toThrow();
    await transport.send(result(1));
    await settled;
  });
});
