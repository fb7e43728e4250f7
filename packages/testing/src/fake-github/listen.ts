import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeRequest, flattenHeaders, readBody, send } from './http.js';

/** A fake provider's HTTP server on 127.0.0.1. */
export interface FakeHttpServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Closes open connections and the listener. */
  close(): Promise<void>;
}

/**
 * Starts a real HTTP server on a free loopback port that parses each request into a {@link FakeRequest} and hands
 * it to `handle`; a throw becomes a 500 naming the fake (`name`), never a crash.
 */
export async function listenFake(
  name: string,
  handle: (req: FakeRequest, res: ServerResponse) => Promise<void> | void,
): Promise<FakeHttpServer> {
  let base = 'http://127.0.0.1';
  const server = createServer((raw: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        const body = await readBody(raw);
        const url = new URL(raw.url ?? '/', base);
        await handle({ method: raw.method ?? 'GET', url, headers: flattenHeaders(raw), body, raw }, res);
      } catch (error) {
        if (!res.headersSent)
          send(res, 500, { 'content-type': 'text/plain' }, `${name} failure: ${String(error)}`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** Follows an authorization URL at a fake that auto-approves and returns where it redirects (the callback). */
export async function followAuthorizeRedirect(name: string, authorizationUrl: string | URL): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) {
    throw new Error(`${name}: authorize answered ${response.status} without a redirect`);
  }
  return new URL(location);
}
