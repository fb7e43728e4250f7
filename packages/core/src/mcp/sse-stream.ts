import { armSseKeepAlive } from '@modelcontextprotocol/sdk/server/sseKeepAlive.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A `text/event-stream` response body carrying JSON-RPC messages (internal). */
export interface SseStream {
  /** The body to put in a `Response`. */
  readonly body: ReadableStream<Uint8Array>;
  /** False once closed by us or cancelled by the client. */
  readonly open: boolean;
  /** Writes one `message` event; false when the stream is no longer open. */
  write(message: JSONRPCMessage): boolean;
  /** Ends the stream (idempotent). */
  close(): void;
}

/**
 * Opens an SSE body in the Streamable HTTP framing (`event: message` + `data: <JSON>`, as the MCP SDK writes
 * it), with a keep-alive comment every `keepAliveMs` so proxies do not cut a call that waits for the client
 * (internal). The keep-alive timer stops when the stream ends either way.
 */
export function openSseStream(keepAliveMs: number): SseStream {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let open = true;
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    open = false;
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const enqueue = (text: string): boolean => {
    if (!open || controller === undefined) return false;
    try {
      controller.enqueue(encoder.encode(text));
      return true;
    } catch {
      stop();
      return false;
    }
  };
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
    cancel() {
      stop();
    },
  });
  timer = armSseKeepAlive(keepAliveMs, () => {
    enqueue(': keepalive\n\n');
  });
  return {
    body,
    get open() {
      return open;
    },
    write: (message) => enqueue(`event: message\ndata: ${JSON.stringify(message)}\n\n`),
    close() {
      if (!open) return;
      stop();
      try {
        controller?.close();
      } catch {
        // already closed or errored by the reader
      }
    },
  };
}
