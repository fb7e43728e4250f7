import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHandler, type NodeHandler, type WebHandler } from '../src/node-adapter.js';
import { deferred } from './helpers/deferred.js';
import { rawRequest } from './helpers/http-client.js';
import { type LogRecord, recordingLogger } from './helpers/logger.js';

interface Served {
  port: number;
  adapter: NodeHandler;
  records: LogRecord[];
}

const servers: Server[] = [];

async function serve(handle: WebHandler, maxBodyBytes?: number): Promise<Served> {
  const { logger, records } = recordingLogger();
  const server = createServer();
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const adapter = createNodeHandler({ handle, publicUrl: `http://localhost:${port}`, logger, maxBodyBytes });
  server.on('request', adapter.listener);
  return { port, adapter, records };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Opens a request and resolves with the response head, leaving the body unread. */
function openRequest(port: number, method = 'GET', path = '/'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false }, resolve);
    req.once('error', reject);
    req.end();
  });
}

function nextChunk(res: IncomingMessage): Promise<string> {
  return once(res, 'data').then(([chunk]) => String(chunk));
}

const echo: WebHandler = async (request) =>
  Response.json({
    method: request.method,
    url: request.url,
    custom: request.headers.get('x-custom'),
    body: request.body === null ? null : await request.text(),
  });

describe('createNodeHandler', () => {
  it('builds an absolute Request URL from the Host header, with headers and body', async () => {
    const { port } = await serve(echo);
    const response = await rawRequest(port, {
      method: 'POST',
      path: '/a/b?x=1&y=two',
      headers: { host: `localhost:${port}`, 'x-custom': 'hello', 'content-type': 'application/json' },
      body: '{"ok":true}',
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      method: 'POST',
      url: `http://localhost:${port}/a/b?x=1&y=two`,
      custom: 'hello',
      body: '{"ok":true}',
    });
  });

  it('gives GET requests no body and keeps a "//" path inside the origin', async () => {
    const { port } = await serve(echo);
    const response = await rawRequest(port, {
      path: '//evil.example/x',
      headers: { host: `127.0.0.1:${port}` },
    });
    expect(response.status).toBe(400);
    const ok = await rawRequest(port, { path: '/plain', headers: { host: `127.0.0.1:${port}` } });
    expect(JSON.parse(ok.body)).toMatchObject({
      method: 'GET',
      url: `http://127.0.0.1:${port}/plain`,
      body: null,
    });
  });

  it('answers 400 JSON for a Host header that is not a host', async () => {
    const { port } = await serve(echo);
    const response = await rawRequest(port, { path: '/x', headers: { host: 'a.example/evil?' } });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'BAD_REQUEST', message: expect.any(String) },
    });
  });

  it('answers 400 JSON for a method a web Request cannot carry', async () => {
    const { port } = await serve(echo);
    const response = await rawRequest(port, { method: 'TRACE', path: '/' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'BAD_REQUEST', message: 'Unsupported request' },
    });
  });

  it('refuses a body over the limit with 413 JSON before the handler runs (declared length)', async () => {
    let calls = 0;
    const { port } = await serve(async () => {
      calls++;
      return new Response('called');
    }, 16);
    const response = await rawRequest(port, { method: 'POST', path: '/', body: 'x'.repeat(17) });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toContain('application/json');
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds 16 bytes' },
    });
    expect(calls).toBe(0);
  });

  it('refuses a chunked body that grows over the limit with 413 JSON', async () => {
    let calls = 0;
    const { port } = await serve(async () => {
      calls++;
      return new Response('called');
    }, 16);
    const response = await rawRequest(port, {
      method: 'POST',
      path: '/',
      body: ['x'.repeat(10), 'y'.repeat(10)],
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(calls).toBe(0);
  });

  it('accepts a body exactly at the limit', async () => {
    const { port } = await serve(echo, 16);
    const response = await rawRequest(port, { method: 'PUT', path: '/', body: 'z'.repeat(16) });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).body).toBe('z'.repeat(16));
  });

  it('writes status, ordinary headers and every Set-Cookie separately', async () => {
    const { port } = await serve(async () => {
      const headers = new Headers({ 'x-answer': '42', 'content-type': 'text/plain' });
      headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
      headers.append('set-cookie', 'b=2; Path=/; Secure');
      return new Response('created', { status: 201, headers });
    });
    const response = await rawRequest(port);
    expect(response.status).toBe(201);
    expect(response.headers['x-answer']).toBe('42');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure']);
    expect(response.body).toBe('created');
  });

  it('turns a handler exception into 500 JSON without details and logs it', async () => {
    const { port, records } = await serve(async () => {
      throw new Error('boom');
    });
    const response = await rawRequest(port, { path: '/fail?code=should-not-be-logged' });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Internal server error' },
    });
    const record = records.find((entry) => entry.message === 'request handler failed');
    expect(record?.level).toBe('error');
    expect(record?.fields.path).toBe('/fail');
    expect(JSON.stringify(record?.fields)).not.toContain('should-not-be-logged');
  });

  it('streams an event-stream body chunk by chunk, headers first', async () => {
    const gate = deferred();
    const { port } = await serve(async () => {
      const encoder = new TextEncoder();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          sent++;
          if (sent === 1) return controller.enqueue(encoder.encode('data: one\n\n'));
          await gate.promise;
          controller.enqueue(encoder.encode('data: two\n\n'));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const res = await openRequest(port);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(await nextChunk(res)).toBe('data: one\n\n');
    const ended = once(res, 'end');
    gate.resolve();
    expect(await nextChunk(res)).toBe('data: two\n\n');
    await ended;
  });

  it('aborts the Request signal when the client disconnects, and counts the handler in flight until it returns', async () => {
    const entered = deferred();
    const aborted = deferred<unknown>();
    const release = deferred();
    const { port, adapter } = await serve(async (request) => {
      request.signal.addEventListener('abort', () => aborted.resolve(request.signal.reason));
      entered.resolve();
      await release.promise;
      return new Response('too late');
    });
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false });
    req.on('error', () => {});
    req.end();
    await entered.promise;
    expect(adapter.inFlight).toBe(1);
    req.destroy();
    expect(await aborted.promise).toBeInstanceOf(Error);
    expect(adapter.inFlight).toBe(1);
    const drained = adapter.drain(60_000);
    release.resolve();
    expect(await drained).toEqual({ drained: true, abandoned: 0 });
  });

  it('cancels a streaming body when the client goes away', async () => {
    const cancelled = deferred<unknown>();
    const { port } = await serve(async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('data: hello\n\n'));
        },
        cancel(reason) {
          cancelled.resolve(reason);
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const res = await openRequest(port);
    await nextChunk(res);
    res.destroy();
    await cancelled.promise;
  });

  it('drain waits for an in-flight request the handler is still working on', async () => {
    const entered = deferred();
    const release = deferred();
    const { port, adapter } = await serve(async () => {
      entered.resolve();
      await release.promise;
      return new Response('finished');
    });
    const response = rawRequest(port);
    await entered.promise;
    let settled = false;
    const drained = adapter.drain(60_000).then((result) => {
      settled = true;
      return result;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(adapter.inFlight).toBe(1);
    release.resolve();
    const answer = await response;
    expect(answer).toMatchObject({ status: 200, body: 'finished' });
    expect(answer.headers.connection).toBe('close');
    expect(await drained).toEqual({ drained: true, abandoned: 0 });
    expect(adapter.inFlight).toBe(0);
  });

  it('drain ends long-lived GET event streams instead of waiting for them', async () => {
    const { port, adapter } = await serve(async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(': connected\n\n'));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const res = await openRequest(port);
    await nextChunk(res);
    const ended = once(res, 'end');
    expect(await adapter.drain(60_000)).toEqual({ drained: true, abandoned: 0 });
    await ended;
  });

  it('drain gives up after the bound, aborting what is still running', async () => {
    const entered = deferred();
    const aborted = deferred();
    const { port, adapter } = await serve(async (request) => {
      request.signal.addEventListener('abort', () => aborted.resolve());
      entered.resolve();
      return new Promise<Response>(() => {});
    });
    const response = rawRequest(port).catch((error: unknown) => error);
    await entered.promise;
    expect(await adapter.drain(1)).toEqual({ drained: false, abandoned: 1 });
    await aborted.promise;
    expect(await response).toBeInstanceOf(Error);
  });
});
