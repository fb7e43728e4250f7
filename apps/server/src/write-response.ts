import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Connection-level headers a web `Response` must not dictate to Node's HTTP/1.1 framing. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/** A JSON error in the wire shape `{error: {code, message}}`. */
export function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

function nodeHeaders(response: Response, extra: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && !HOP_BY_HOP.has(name)) headers[name] = value;
  });
  // `forEach` joins several Set-Cookie headers into one, which browsers cannot split reliably.
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return { ...headers, ...extra };
}

/** Ends the response and resolves once it is handed to the OS (`finish`) or the connection closed. */
function end(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    res.once('finish', resolve).once('close', resolve);
    res.end();
  });
}

/** Resolves on `drain`, or early when the response is closed (then nothing more can be written). */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

/**
 * Writes a web `Response` to a Node response: status, headers (each `set-cookie` separately) and the body,
 * streamed chunk by chunk with backpressure. Event streams get their headers flushed at once. When the
 * client goes away the body stream is cancelled, so its producer stops.
 *
 * @param onStream called once the body starts streaming, with a function that ends it early (for shutdown).
 */
export async function writeResponse(
  response: Response,
  res: ServerResponse,
  extraHeaders: OutgoingHttpHeaders = {},
  onStream?: (stop: () => void) => void,
): Promise<void> {
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  res.writeHead(response.status, nodeHeaders(response, extraHeaders));
  if (response.body === null || res.req.method === 'HEAD') {
    await response.body?.cancel().catch(() => {});
    await end(res);
    return;
  }
  if (res.getHeader('content-type')?.toString().startsWith('text/event-stream')) res.flushHeaders();
  const reader = response.body.getReader();
  let stopped = false;
  const stop = () => {
    stopped = true;
    reader.cancel().catch(() => {});
  };
  res.once('close', stop);
  onStream?.(stop);
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done || stopped || res.destroyed) break;
      if (!res.write(chunk.value)) await writable(res);
    }
    if (!res.destroyed) await end(res);
  } catch (error) {
    // Headers are out: the only honest signal of a broken body is a broken connection.
    if (stopped) return;
    res.destroy();
    throw error;
  } finally {
    res.off('close', stop);
    reader.releaseLock();
  }
}
