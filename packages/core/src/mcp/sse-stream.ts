import { armSseKeepAlive } from '@modelcontextprotocol/sdk/server/sseKeepAlive.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A `text/event-stream` response body carrying JSON-RPC messages (internal). */
export interface SseStream {
  /** The body to put in a `Response`. */
  readonly body: ReadableStream<Uint8Array>;
  /** False once closed by us, cancelled by the client, or given up for a reader too slow. */
  readonly open: boolean;
  /** Writes one `message` event; false when the stream is no longer open. */
  write(message: JSONRPCMessage): boolean;
  /** Ends the stream (idempotent). */
  close(): void;
}

/** Most bytes an SSE stream may hold for a reader that does not keep up: 1 MiB. */
export const DEFAULT_SSE_MAX_QUEUED_BYTES = 1024 * 1024;

/** Options of {@link openSseStream}. */
export interface SseStreamOptions {
  /** Interval of the keep-alive comment. */
  keepAliveMs: number;
  /** Bytes written but not read yet beyond which the stream is given up. @default {@link DEFAULT_SSE_MAX_QUEUED_BYTES} */
  maxQueuedBytes?: number;
  /** Called once when the stream is given up because its reader fell more than `maxQueuedBytes` behind. */
  onOverflow?(): void;
}

/**
 * Opens an SSE body in the Streamable HTTP framing (`event: message` + `data: <JSON>`, as the MCP SDK writes
 * it), with a keep-alive comment every `keepAliveMs` so proxies do not cut a call that waits for the client
 * (internal). The keep-alive timer stops when the stream ends either way.
 *
 * Writes never wait for the reader, so the queue is bounded instead: once more than `maxQueuedBytes` wait
 * unread (a client that stopped reading while a tool keeps logging), the stream is errored — its queue is
 * dropped and the connection cut — and `onOverflow` is called.
 */
export function openSseStream(options: SseStreamOptions): SseStream {
  const { keepAliveMs, maxQueuedBytes = DEFAULT_SSE_MAX_QUEUED_BYTES } = options;
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
    } catch {
      stop();
      return false;
    }
    if ((controller.desiredSize ?? 0) >= -maxQueuedBytes) return true;
    stop();
    controller.error(new Error(`The SSE reader fell more than ${maxQueuedBytes} bytes behind.`));
    options.onOverflow?.();
    return false;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController;
      },
      cancel() {
        stop();
      },
    },
    // Counts queued bytes (not chunks), so `desiredSize` is minus the bytes the reader has not taken yet.
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
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
