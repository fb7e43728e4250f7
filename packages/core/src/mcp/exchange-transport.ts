import { DEFAULT_SSE_KEEP_ALIVE_MS } from '@modelcontextprotocol/sdk/server/sseKeepAlive.js';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { jsonRpcError, sessionNotFound } from './json-rpc-error.js';
import { cancelledRequestOf, isRequest, isResponse, requestIdsOf } from './message-shapes.js';
import { sdkJsonStreams } from './sdk-json-streams.js';
import { DEFAULT_SSE_MAX_QUEUED_BYTES, openSseStream, type SseStream } from './sse-stream.js';

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

/** Options of {@link createExchangeTransport}. */
export interface ExchangeTransportOptions<E> {
  /** Interval of the SSE keep-alive comment. @default the SDK's `DEFAULT_SSE_KEEP_ALIVE_MS` */
  keepAliveMs?: number;
  /** Unread bytes after which a POST's SSE stream is given up. @default {@link DEFAULT_SSE_MAX_QUEUED_BYTES} */
  maxQueuedBytes?: number;
  /** Called when the SSE stream of a POST made with `exchange` was given up because the client did not read it. */
  onStreamOverflow?(exchange: E): void;
  /**
   * Cancels a POST's requests and ends it when its `request.signal` aborts (the client went away). A stateless
   * transport serves one POST and closes, and its handlers see the abort through their own signal: it turns
   * this off to save a listener per request on the hot path. @default true
   */
  watchAbort?: boolean;
}

interface PostState<E> {
  exchange: E;
  /** The HTTP request's signal (aborted when the client goes away), when watched. */
  signal: AbortSignal | undefined;
  /** Every request id of the POST. */
  ids: readonly RequestId[];
  /** Requests of the POST still without a response. */
  pending: Set<RequestId>;
  /** Responses made before the answer turned into a stream (several requests in one batch). */
  answered: JSONRPCMessage[];
  stream: SseStream | undefined;
  /** True once the SDK handed the POST's requests to the server. */
  dispatched: boolean;
  /** The SDK transport's stream id of the POST (see {@link sdkJsonStreams}), once dispatched. */
  sdkStream: string | undefined;
  /** Gives the POST its answer instead of the SDK's JSON one: a stream, or an answer after a cancel or close. */
  answer(response: Response): void;
  settle(): void;
  /** Listener of `signal`. */
  onAbort(): void;
}

/** The answer to a POST reusing the id of a request still in flight in the transport (or twice in a batch). */
function requestIdInUse(): Response {
  return jsonRpcError(400, -32600, 'Invalid Request: request id already in use');
}

/**
 * Wraps `inner` (created with `enableJsonResponse: true`) into an {@link ExchangeTransport} (internal).
 *
 * Every POST waiting for its answer settles: with its responses, when its requests are cancelled, when the
 * client goes away (its `request.signal` aborts: its requests are cancelled as by `notifications/cancelled`,
 * since the answer can no longer be delivered; see {@link ExchangeTransportOptions.watchAbort}), or when the
 * transport closes. A POST reusing the id of a
 * request still in flight (or the same id twice) is refused before dispatch: 400 with `-32600`.
 */
export function createExchangeTransport<E>(
  inner: WebStandardStreamableHTTPServerTransport,
  options: ExchangeTransportOptions<E> = {},
): ExchangeTransport<E> {
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_SSE_KEEP_ALIVE_MS;
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_SSE_MAX_QUEUED_BYTES;
  const watchAbort = options.watchAbort ?? true;
  const posts = new Map<RequestId, PostState<E>>();
  const live = new Set<PostState<E>>();
  const sdk = sdkJsonStreams(inner);

  const inUse = (ids: readonly RequestId[]): boolean => {
    if (ids.length === 1) return posts.has(ids[0] as RequestId);
    const seen = new Set<RequestId>();
    for (const id of ids) {
      if (posts.has(id) || seen.has(id)) return true;
      seen.add(id);
    }
    return false;
  };

  const release = (state: PostState<E>): void => {
    if (!live.delete(state)) return;
    for (const id of state.pending) if (posts.get(id) === state) posts.delete(id);
    state.pending.clear();
    state.signal?.removeEventListener('abort', state.onAbort);
    state.stream?.close();
    // The SDK keeps a settled JSON stream forever (typescript-sdk#2559): let go of it with the POST.
    if (state.sdkStream !== undefined) sdk.release(state.sdkStream, state.ids);
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
    for (const state of [...live]) {
      if (state.stream === undefined) state.answer(sessionNotFound());
      release(state);
    }
  };

  /**
   * The client went away: its answer can no longer be delivered, so the server stops working on its requests
   * (as if it had sent `notifications/cancelled` for each) and the POST ends.
   */
  const cancelAll = (state: PostState<E>): void => {
    for (const id of [...state.pending]) {
      transport.onmessage?.({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: id, reason: 'The client disconnected.' },
      });
      forgo(id);
    }
  };

  const upgrade = (state: PostState<E>): SseStream => {
    const stream = openSseStream({
      keepAliveMs,
      maxQueuedBytes,
      onOverflow: () => options.onStreamOverflow?.(state.exchange),
    });
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
        const requestId = isRequest(message) ? message.id : undefined;
        const state = requestId === undefined ? undefined : posts.get(requestId);
        if (state !== undefined && requestId !== undefined && state.sdkStream === undefined) {
          state.sdkStream = sdk.streamOf(requestId);
        }
        transport.onmessage?.(message, extra);
        const cancelled = cancelledRequestOf(message);
        if (cancelled !== undefined) forgo(cancelled);
        if (state !== undefined && !state.dispatched) {
          state.dispatched = true;
          // Gone before dispatch: cancel once the SDK has handed over the whole batch (it does so synchronously).
          if (state.signal?.aborted) queueMicrotask(() => cancelAll(state));
        }
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
      if (inUse(ids)) return { response: requestIdInUse(), settled: Promise.resolve() };
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
        signal: watchAbort ? request.signal : undefined,
        ids,
        pending: new Set(ids),
        answered: [],
        stream: undefined,
        dispatched: false,
        sdkStream: undefined,
        answer: answerWith,
        settle,
        onAbort: () => {
          if (state.dispatched) cancelAll(state);
        },
      };
      live.add(state);
      for (const id of ids) posts.set(id, state);
      state.signal?.addEventListener('abort', state.onAbort, { once: true });
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

    async send(message, sendOptions?: TransportSendOptions) {
      const response = isResponse(message);
      const id = response ? message.id : sendOptions?.relatedRequestId;
      const state = id === undefined || id === null ? undefined : posts.get(id);
      if (state === undefined || id === undefined || id === null) return inner.send(message, sendOptions);
      if (response) {
        state.pending.delete(id);
        posts.delete(id);
        if (state.stream !== undefined) state.stream.write(message);
        else state.answered.push(message);
        try {
          // JSON: the SDK answers the POST once every response is in. Streamed: this only clears its bookkeeping.
          await inner.send(message, sendOptions);
        } finally {
          if (state.pending.size === 0) release(state);
        }
        return;
      }
      const stream = state.stream ?? upgrade(state);
      if (!stream.write(message) && isRequest(message)) {
        throw new Error('The client closed the response stream of this request.');
      }
    },
  };
  return transport;
}
