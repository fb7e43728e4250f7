import { DEFAULT_SSE_KEEP_ALIVE_MS } from '@modelcontextprotocol/sdk/server/sseKeepAlive.js';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { sessionNotFound } from './json-rpc-error.js';
import { openSseStream, type SseStream } from './sse-stream.js';

/** What {@link ExchangeTransport.handle} answers. */
export interface HandledRequest {
  response: Response;
  /**
   * Resolves once every JSON-RPC request of the HTTP request has its response (at once for a JSON answer,
   * later for a streamed one), or when the transport closes. Never rejects.
   */
  settled: Promise<void>;
}

/**
 * An MCP SDK transport over the SDK's web-standard Streamable HTTP transport (in JSON mode) that answers each
 * POST with JSON unless something must reach the client before the result: the first notification or
 * server-to-client request related to one of the POST's requests (`ctx.log`, `ctx.progress`, `ctx.sample`, …)
 * turns the answer into an SSE stream carrying it, the responses already made, and everything after; the
 * stream ends with the last response. It also remembers which HTTP request (`E`, the "exchange") each in-flight
 * JSON-RPC request came with, so handlers of a long-lived session server see their own request (internal).
 */
export interface ExchangeTransport<E> extends Transport {
  /**
   * Serves one HTTP request. `parsedBody` is the POST body already read and parsed (`undefined` lets the SDK
   * transport answer the request alone, e.g. its 406/415 before reading a body, GET and DELETE).
   */
  handle(request: Request, exchange: E, parsedBody: unknown): Promise<HandledRequest>;
  /** The exchange of an in-flight JSON-RPC request. */
  exchangeOf(id: RequestId): E | undefined;
}

interface PostState<E> {
  exchange: E;
  /** Requests of the POST still without a response. */
  pending: Set<RequestId>;
  /** Responses made before the answer turned into a stream (several requests in one batch). */
  answered: JSONRPCMessage[];
  stream: SseStream | undefined;
  /** Gives the POST its answer instead of the SDK's JSON one: a stream, or an answer after a cancel or close. */
  answer(response: Response): void;
  settle(): void;
}

/** Ids of the JSON-RPC requests (not notifications or responses) in a parsed POST body. */
function requestIdsOf(body: unknown): RequestId[] {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  const ids: RequestId[] = [];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { id, method } = message as { id?: unknown; method?: unknown };
    if (typeof method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  return ids;
}

/** The request id of a `notifications/cancelled` message. */
function cancelledRequestOf(message: JSONRPCMessage): RequestId | undefined {
  if (!isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') return undefined;
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** Wraps `inner` (created with `enableJsonResponse: true`) into an {@link ExchangeTransport} (internal). */
export function createExchangeTransport<E>(
  inner: WebStandardStreamableHTTPServerTransport,
  keepAliveMs: number = DEFAULT_SSE_KEEP_ALIVE_MS,
): ExchangeTransport<E> {
  const posts = new Map<RequestId, PostState<E>>();

  const release = (state: PostState<E>): void => {
    for (const id of state.pending) if (posts.get(id) === state) posts.delete(id);
    state.pending.clear();
    state.stream?.close();
    state.settle();
  };

  /**
   * The client cancelled a request (`notifications/cancelled`): the SDK aborts its handler and sends no response,
   * so the POST stops waiting for one. If nothing else is pending, it ends: as JSON with the responses made, or
   * as a stream (empty if nothing was sent).
   */
  const forgo = (id: RequestId): void => {
    const state = posts.get(id);
    if (state === undefined) return;
    posts.delete(id);
    state.pending.delete(id);
    if (state.pending.size > 0) return;
    if (state.stream === undefined && state.answered.length > 0) {
      const [single] = state.answered;
      const body = state.answered.length === 1 ? single : state.answered;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (inner.sessionId !== undefined) headers['mcp-session-id'] = inner.sessionId;
      state.answer(new Response(JSON.stringify(body), { status: 200, headers }));
    } else if (state.stream === undefined) {
      upgrade(state);
    }
    release(state);
  };

  /**
   * The transport closes (session ended, DELETE): the SDK aborts the handlers, which will not answer, so every
   * POST still waiting ends now — a JSON one with the session's 404, a stream by closing.
   */
  const abandonAll = (): void => {
    for (const state of new Set(posts.values())) {
      if (state.stream === undefined) state.answer(sessionNotFound());
      release(state);
    }
  };

  const upgrade = (state: PostState<E>): SseStream => {
    const stream = openSseStream(keepAliveMs);
    state.stream = stream;
    for (const message of state.answered) stream.write(message);
    state.answered = [];
    const headers: Record<string, string> = {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    };
    if (inner.sessionId !== undefined) headers['mcp-session-id'] = inner.sessionId;
    state.answer(new Response(stream.body, { status: 200, headers }));
    return stream;
  };

  const transport: ExchangeTransport<E> = {
    onclose: undefined,
    onerror: undefined,
    onmessage: undefined,
    get sessionId() {
      return inner.sessionId;
    },
    async start() {
      inner.onmessage = (message, extra) => {
        transport.onmessage?.(message, extra);
        const cancelled = cancelledRequestOf(message);
        if (cancelled !== undefined) forgo(cancelled);
      };
      inner.onerror = (error) => transport.onerror?.(error);
      inner.onclose = () => {
        abandonAll();
        transport.onclose?.();
      };
      await inner.start();
    },
    async close() {
      abandonAll();
      await inner.close();
    },
    exchangeOf: (id) => posts.get(id)?.exchange,

    async handle(request, exchange, parsedBody) {
      const ids = parsedBody === undefined ? [] : requestIdsOf(parsedBody);
      if (ids.length === 0) {
        const response = await inner.handleRequest(
          request,
          parsedBody === undefined ? undefined : { parsedBody },
        );
        return { response, settled: Promise.resolve() };
      }
      let answerWith: (response: Response) => void = () => undefined;
      let settle: () => void = () => undefined;
      const answered = new Promise<Response>((resolve) => {
        answerWith = resolve;
      });
      const settled = new Promise<void>((resolve) => {
        settle = resolve;
      });
      const state: PostState<E> = {
        exchange,
        pending: new Set(ids),
        answered: [],
        stream: undefined,
        answer: answerWith,
        settle,
      };
      for (const id of ids) {
        // A client reusing the id of a request still in flight: the older one stops waiting for it.
        const previous = posts.get(id);
        if (previous !== undefined) {
          previous.pending.delete(id);
          if (previous.pending.size === 0) release(previous);
        }
        posts.set(id, state);
      }
      let response: Response;
      try {
        response = await Promise.race([inner.handleRequest(request, { parsedBody }), answered]);
      } catch (error) {
        release(state);
        throw error;
      }
      // Answered before any request was dispatched (an HTTP error such as 400 or 404): nothing will follow.
      if (state.stream === undefined && state.pending.size > 0) release(state);
      return { response, settled };
    },

    async send(message, options?: TransportSendOptions) {
      const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
      const id = isResponse ? message.id : options?.relatedRequestId;
      const state = id === undefined || id === null ? undefined : posts.get(id);
      if (state === undefined || id === undefined || id === null) return inner.send(message, options);
      if (isResponse) {
        state.pending.delete(id);
        posts.delete(id);
        if (state.stream !== undefined) state.stream.write(message);
        else state.answered.push(message);
        try {
          // JSON: the SDK answers the POST once every response is in. Streamed: this only clears its bookkeeping.
          await inner.send(message, options);
        } finally {
          if (state.pending.size === 0) release(state);
        }
        return;
      }
      const stream = state.stream ?? upgrade(state);
      if (!stream.write(message) && isJSONRPCRequest(message)) {
        throw new Error('The client closed the response stream of this request.');
      }
    },
  };
  return transport;
}
