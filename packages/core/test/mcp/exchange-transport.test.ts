import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createExchangeTransport, type ExchangeTransport } from '../../src/mcp/exchange-transport.js';
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
