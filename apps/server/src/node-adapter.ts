import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { DEFAULT_MCP_MAX_BODY_BYTES, type Logger } from '@org/mcp-oauth-core';
import { readBody } from './read-body.js';
import { errorResponse, writeResponse } from './write-response.js';

/** A web-standard request handler, such as core's `createHttpHandler(...).handle`. */
export type WebHandler = (request: Request) => Promise<Response>;

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions {
  handle: WebHandler;
  /** The server's public base URL: gives the scheme, and the host when a request has no `Host` header. */
  publicUrl: string;
  /**
   * Hard limit of a request body; larger bodies get 413 before the handler runs.
   * @default core's DEFAULT_MCP_MAX_BODY_BYTES (1 MiB + 64 KiB), so the MCP endpoint's own limit applies
   */
  maxBodyBytes?: number;
  logger: Logger;
}

/** Result of {@link NodeHandler.drain}. */
export interface DrainResult {
  /** True when every in-flight request finished within the bound. */
  drained: boolean;
  /** Requests cut off when the bound expired. */
  abandoned: number;
}

/** A Node `request` listener over a web handler, with in-flight tracking for graceful shutdown. */
export interface NodeHandler {
  /** Attach with `server.on('request', listener)`. */
  listener(req: IncomingMessage, res: ServerResponse): void;
  /** Requests whose handler or response writing has not finished yet. */
  readonly inFlight: number;
  /**
   * Stops long-lived event streams (`GET` + `text/event-stream`; clients reconnect elsewhere), marks later
   * responses `Connection: close`, and waits up to `timeoutMs` for the other in-flight requests. Requests still
   * running then are aborted and their sockets destroyed.
   */
  drain(timeoutMs: number): Promise<DrainResult>;
}

interface Exchange {
  controller: AbortController;
  res: ServerResponse;
  /** Set once the response is a long-lived event stream; cancels its body. */
  stopStream: (() => void) | null;
}

const DEFAULT_MAX_BODY_BYTES = DEFAULT_MCP_MAX_BODY_BYTES;
/** A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST_HEADER = /^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Converts Node's `IncomingMessage` into a web `Request` (absolute URL, headers, buffered body with a hard
 * limit, a signal aborted when the client goes away) and writes the web `Response` back (status, headers
 * including several `set-cookie`, streamed body with backpressure).
 *
 * @example
 * ```ts
 * const adapter = createNodeHandler({ handle: app.handle, publicUrl, logger });
 * server.on('request', adapter.listener);
 * ```
 */
export function createNodeHandler(options: NodeHandlerOptions): NodeHandler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const base = new URL(options.publicUrl);
  const exchanges = new Set<Exchange>();
  const idleWaiters = new Set<() => void>();
  let draining = false;

  function finish(exchange: Exchange): void {
    exchanges.delete(exchange);
    if (exchanges.size === 0) for (const resolve of idleWaiters) resolve();
  }

  async function serve(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
    const extraHeaders: OutgoingHttpHeaders = draining ? { connection: 'close' } : {};
    const url = requestUrl(req, base);
    if (!url) {
      await writeResponse(
        errorResponse(400, 'BAD_REQUEST', 'Invalid request target or Host header'),
        res,
        extraHeaders,
      );
      return;
    }
    options.logger.debug({ method: req.method, path: url.pathname }, 'request received');
    const body = await readBody(req, maxBodyBytes);
    if (body.outcome === 'aborted') return;
    if (body.outcome === 'too_large') {
      // The rest of the body is not read; closing the connection is the only safe way to skip it.
      req.resume();
      const message = `Request body exceeds ${maxBodyBytes} bytes`;
      await writeResponse(errorResponse(413, 'PAYLOAD_TOO_LARGE', message), res, { connection: 'close' });
      return;
    }
    let request: Request;
    try {
      request = new Request(url, {
        method: req.method,
        headers: requestHeaders(req),
        body: body.bytes,
        signal: exchange.controller.signal,
      });
    } catch {
      // fetch's Request refuses some methods (TRACE, CONNECT) and header shapes Node lets through.
      await writeResponse(errorResponse(400, 'BAD_REQUEST', 'Unsupported request'), res, extraHeaders);
      return;
    }
    let response: Response;
    try {
      response = await options.handle(request);
    } catch (error) {
      options.logger.error({ err: error, method: req.method, path: url.pathname }, 'request handler failed');
      response = errorResponse(500, 'INTERNAL_ERROR', 'Internal server error');
    }
    const longLived = req.method === 'GET' && isEventStream(response);
    await writeResponse(response, res, draining ? { connection: 'close' } : extraHeaders, (stop) => {
      if (!longLived) return;
      exchange.stopStream = stop;
      if (draining) stop();
    });
  }

  return {
    listener(req, res) {
      const exchange: Exchange = { controller: new AbortController(), res, stopStream: null };
      exchanges.add(exchange);
      res.once('close', () => {
        if (!res.writableFinished) exchange.controller.abort(new Error('client disconnected'));
      });
      // In flight until the handler and the writing are both done, even when the client left early: the
      // handler may still be using the database that shutdown is about to close.
      serve(req, res, exchange)
        .catch((error: unknown) => {
          options.logger.error({ err: error, method: req.method }, 'writing the response failed');
          res.destroy();
        })
        .finally(() => finish(exchange));
    },
    get inFlight() {
      return exchanges.size;
    },
    async drain(timeoutMs) {
      draining = true;
      for (const exchange of exchanges) exchange.stopStream?.();
      if (exchanges.size === 0) return { drained: true, abandoned: 0 };
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<boolean>((resolve) => {
        const waiter = () => resolve(true);
        idleWaiters.add(waiter);
        timer = setTimeout(() => {
          idleWaiters.delete(waiter);
          resolve(false);
        }, timeoutMs);
      });
      const drained = await idle;
      clearTimeout(timer);
      if (drained) return { drained: true, abandoned: 0 };
      const stuck = [...exchanges];
      for (const exchange of stuck) {
        exchange.controller.abort(new Error('server shutting down'));
        exchange.res.destroy();
      }
      return { drained: false, abandoned: stuck.length };
    },
  };
}

/** The absolute URL of a request, or `null` when the target or `Host` header is unusable. */
function requestUrl(req: IncomingMessage, base: URL): URL | null {
  const target = req.url ?? '';
  // Only origin-form targets ("/path?query"); "//host/path" and absolute-form must not change the origin.
  if (!target.startsWith('/') || target.startsWith('//')) return null;
  const host = req.headers.host ?? base.host;
  if (!HOST_HEADER.test(host)) return null;
  return URL.parse(`${base.protocol}//${host}${target}`);
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index]!;
    if (name.startsWith(':')) continue;
    headers.append(name, raw[index + 1]!);
  }
  return headers;
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
}
