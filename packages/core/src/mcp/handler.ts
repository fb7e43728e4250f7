import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ConfigError, InstanceError, OAuthFlowError, RefreshError } from '../errors/index.js';
import { errorResponse } from '../http/responses.js';
import type { OAuthFlow } from '../oauth/types.js';
import type { ApiKeyRecord, AuditStore, InstanceRecord } from '../store/ports.js';
import type { TokenSource } from '../tokens/source.js';
import { type Clock, type FetchLike, type Logger, silentLogger } from '../util/types.js';
import { DEFAULT_MCP_MAX_BODY_BYTES } from './body-limit.js';
import { buildReusableServer, buildServer, type ServerDeps } from './build-server.js';
import { isAllowedHost } from './host-check.js';
import { createToolRateLimiter, type ToolRateLimitOptions } from './rate-limit.js';
import { isInitializeBody, readMessages } from './read-messages.js';
import { isReusableBody, selectionOf } from './reusable-body.js';
import { createServerPool, type PoolOwner } from './server-pool.js';
import { type McpSessionOptions, resolveSessionOptions, type SessionFilter } from './session-table.js';
import { createSessionManager, type McpCall, type SessionManager } from './sessions.js';
import { type RequestToken, requestToken } from './token-recovery.js';

/** Options of {@link createMcpHandler}. */
export interface McpHandlerOptions {
  flow: OAuthFlow;
  /**
   * Source of access tokens (the token manager of `createTokenManager`: cache, single-flight refresh,
   * breakers). @default the flow's plain `getAccessToken`
   */
  tokens?: TokenSource;
  /** @default silentLogger */
  logger?: Logger;
  /** `fetch` handed to tools. @default globalThis.fetch */
  fetch?: FetchLike;
  /** DNS-rebinding protection: allowed `Host` values (`host:port`, or a bare host for any port). Off when omitted. */
  allowedHosts?: readonly string[];
  /** Version announced in the MCP `serverInfo`. @default '0.0.0' */
  version?: string;
  /** Largest JSON-RPC body accepted (413 beyond). @default {@link DEFAULT_MCP_MAX_BODY_BYTES} (1 MiB + 64 KiB) */
  maxBodyBytes?: number;
  /**
   * Per-instance rate limit of `tools/call` (a token bucket per instance; `initialize` and `tools/list` are not
   * counted). A refused call is an `isError` result "Rate limited … retry after N s", not an HTTP 429: the MCP
   * client gets an answer the model can act on. Off when omitted.
   */
  rateLimit?: ToolRateLimitOptions;
  /**
   * Audit store receiving one `tool.called` record per tool call (instance, tool, result, duration, request
   * id; never arguments). Off when omitted.
   */
  audit?: AuditStore;
  /** Clock of audit records, durations and session expiry. @default Date.now */
  now?: Clock;
  /**
   * Stateful sessions (off when omitted): an `initialize` POST starts a session and gets an `Mcp-Session-Id`;
   * requests carrying it reach that session's server, which can then ask the client for sampling and
   * elicitation and keeps resource subscriptions. Requests without a session id are still served statelessly.
   * Sessions are per process (see {@link McpSessionOptions}).
   */
  sessions?: McpSessionOptions;
}

/** Serves MCP Streamable HTTP for one already-authorised instance per request. */
export interface McpHandler {
  /**
   * Answers one MCP request for `instance`.
   *
   * Without `Mcp-Session-Id` a `POST` is served statelessly by a server built for this request (an `initialize`
   * starts a session instead when sessions are on); `GET` and `DELETE` answer 405. With a session id (sessions
   * on): `POST` goes to the session's server, `GET` opens its stream of server-initiated messages, `DELETE` ends
   * it; an unknown or expired id, or one of another instance or API key, answers 404 (`-32001`), after which the
   * client initialises again. A POST is answered with JSON unless the call sends something to the client before
   * its result (log, progress, sampling, elicitation): then the answer is an SSE stream.
   *
   * @throws OAuthFlowError `OAUTH_SERVICE_UNKNOWN` when the instance's provider is not enabled; errors of
   *   `getAccessToken` other than "needs reconnecting" and transient refresh failures (store down…).
   */
  handle(
    request: Request,
    instance: InstanceRecord,
    apiKey: ApiKeyRecord,
    options?: { requestId?: string },
  ): Promise<Response>;
  /**
   * Ends the sessions of an instance, of an API key, or of both (call it when the instance or key is deleted);
   * returns how many. Their next request gets 404; an `initialize` of theirs still being set up starts no session
   * (404 too). Does nothing when sessions are off.
   */
  endSessions(filter: SessionFilter): number;
  /**
   * Sends `notifications/resources/updated` for `uri` to every session of the instance, in this process,
   * subscribed to it (on the session's `GET` stream). Returns how many sessions were sent it.
   */
  notifyResourceUpdated(instanceId: string, uri: string): Promise<number>;
  /** Sessions open in this process. */
  readonly sessionCount: number;
  /**
   * Idle stateless servers kept for reuse. A stateless request (no session) that leaves nothing behind in its
   * server — anything but `initialize`, `logging/setLevel` and subscriptions — is served by an idle server built
   * for the same instance, API key and tool selection when there is one, and returns it afterwards; never one of
   * another instance or key, never two requests at once.
   */
  readonly idleServers: number;
  /** Ends every session (their streams close, pending client requests fail); no new ones start. Idempotent. */
  close(): Promise<void>;
}

/** Failures after which tools stay listed (from the requested scopes) and each call explains what to do. */
function isRecoverable(error: unknown): boolean {
  return (
    error instanceof RefreshError || (error instanceof InstanceError && error.code !== 'INSTANCE_NOT_FOUND')
  );
}

/** Scopes to list tools by: the token's, or the requested ones while the instance needs a reconnect. */
async function grantedScopesOf(token: RequestToken, instance: InstanceRecord): Promise<readonly string[]> {
  try {
    return (await token.get()).grantedScopes;
  } catch (error) {
    if (!isRecoverable(error)) throw error;
    return instance.config.scopes;
  }
}

/**
 * Creates the MCP endpoint handler. A server is built per stateless request, or per session, scoped to exactly
 * one instance — never one shared across instances (CVE-2026-25536) — listing only the tools that instance may
 * use (see `selectTools`). Tools fetch the access token at call time; failures become `isError` results
 * with a message a model can act on. When a tool's upstream call answers 401 and `tokens.reportUnauthorized`
 * exists, the token source decides: a replaced or refreshed token → the tool runs once more with it;
 * `needs_reauth` → the result asks for a reconnect.
 *
 * @throws ConfigError when an option is invalid.
 * @example
 * ```ts
 * const mcp = createMcpHandler({ flow, logger, allowedHosts: ['localhost:49296'], sessions: {} });
 * const response = await mcp.handle(request, instance, apiKey, { requestId });
 * mcp.endSessions({ instanceId }); // after deleting the instance
 * ```
 */
export function createMcpHandler(options: McpHandlerOptions): McpHandler {
  const { flow } = options;
  const tokens: TokenSource = options.tokens ?? flow;
  if (typeof tokens.getAccessToken !== 'function')
    throw new ConfigError('tokens', 'must have getAccessToken()');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MCP_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new ConfigError('maxBodyBytes', 'must be a positive integer');
  }
  const allowedHosts = options.allowedHosts;
  if (allowedHosts?.some((host) => typeof host !== 'string' || host.trim() === '')) {
    throw new ConfigError('allowedHosts', 'entries must be non-empty host names');
  }
  const deps: ServerDeps = {
    tokens,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    logger: options.logger ?? silentLogger,
    rateLimiter: options.rateLimit === undefined ? undefined : createToolRateLimiter(options.rateLimit),
    audit: options.audit,
    now: options.now ?? Date.now,
    version: options.version ?? '0.0.0',
    // The SDK builds a new Ajv per server by default (~0.4 ms per request); the validator holds compiled schemas
    // only, nothing of an instance, so one per handler is safe to share. Elicitation answers are not checked
    // with it (Ajv would keep every per-call schema object): see checkedElicitResult.
    jsonSchemaValidator: new AjvJsonSchemaValidator(),
  };
  const sessions: SessionManager | undefined =
    options.sessions === undefined
      ? undefined
      : createSessionManager(deps, resolveSessionOptions(options.sessions), maxBodyBytes);
  let closed = false;
  const allow = sessions === undefined ? 'POST' : 'GET, POST, DELETE';

  // Idle stateless servers per (instance, API key, tool selection): 8 per owner, 256 in all (~40 KiB each).
  const pool = createServerPool({ maxIdle: 256, maxIdlePerOwner: 8 });

  async function stateless(call: McpCall, body: unknown): Promise<Response> {
    const { exchange, provider, apiKey } = call;
    const inner = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: maxBodyBytes,
    });
    const spec = {
      provider,
      instance: exchange.instance,
      grantedScopes: await call.grantedScopes(),
      actor: `api_key:${apiKey.keyId}`,
      resourceUpdated: (uri: string) => handler.notifyResourceUpdated(exchange.instance.instanceId, uri),
    };
    if (!isReusableBody(body)) {
      const { server, transport } = await buildServer(deps, { ...spec, inner, subscriptions: undefined });
      try {
        const handled = await transport.handle(exchange.request, exchange, body);
        void handled.settled.then(() => server.close()).catch(() => undefined);
        return handled.response;
      } catch (error) {
        await server.close().catch(() => undefined);
        throw error;
      }
    }
    const owner: PoolOwner = {
      instanceId: exchange.instance.instanceId,
      keyId: apiKey.keyId,
      selection: selectionOf(provider.id, exchange.instance.config, spec.grantedScopes),
    };
    const reusable = pool.take(owner) ?? buildReusableServer(deps, spec);
    const { transport } = await reusable.connect(inner);
    const giveBack = (): Promise<void> =>
      reusable.disconnect().then(
        () => pool.give(owner, reusable),
        () => undefined,
      );
    try {
      const handled = await transport.handle(exchange.request, exchange, body);
      void handled.settled.then(giveBack);
      return handled.response;
    } catch (error) {
      await reusable.disconnect().catch(() => undefined);
      throw error;
    }
  }

  const handler: McpHandler = {
    async handle(request, instance, apiKey, handleOptions) {
      const sessionId = sessions === undefined ? null : request.headers.get('mcp-session-id');
      if (request.method !== 'POST' && sessionId === null) {
        return errorResponse(
          405,
          'METHOD_NOT_ALLOWED',
          sessions === undefined
            ? 'This MCP endpoint is stateless: send JSON-RPC messages with POST.'
            : 'GET and DELETE need the Mcp-Session-Id of a session (initialize first); send JSON-RPC messages with POST.',
          { allow },
        );
      }
      if (allowedHosts !== undefined && !isAllowedHost(request, allowedHosts)) {
        return errorResponse(403, 'FORBIDDEN', 'The Host or Origin header is not allowed.');
      }
      const requestId = handleOptions?.requestId ?? globalThis.crypto.randomUUID();
      const provider = flow.providers.get(instance.serviceName);
      if (provider === undefined) {
        throw new OAuthFlowError('OAUTH_SERVICE_UNKNOWN', 'The service of this instance is not enabled.');
      }
      const token = requestToken(tokens, instance, requestId);
      const call: McpCall = {
        exchange: { request, requestId, instance, token },
        provider,
        apiKey,
        grantedScopes: () => grantedScopesOf(token, instance),
      };
      sessions?.sweep();
      if (sessions !== undefined && sessionId !== null) return sessions.serve(sessionId, call);

      const read = await readMessages(request, maxBodyBytes);
      if (read.kind === 'refused') return read.response;
      const body = read.kind === 'parsed' ? read.body : undefined;
      if (sessions !== undefined && !closed && body !== undefined && isInitializeBody(body)) {
        return sessions.start(call, body);
      }
      return stateless(call, body);
    },
    endSessions: (filter) => {
      pool.drop(filter);
      return sessions?.endWhere(filter) ?? 0;
    },
    notifyResourceUpdated: (instanceId, uri) =>
      sessions?.resourceUpdated(instanceId, uri) ?? Promise.resolve(0),
    get sessionCount() {
      return sessions?.size ?? 0;
    },
    get idleServers() {
      return pool.size;
    },
    async close() {
      closed = true;
      pool.close();
      await sessions?.close();
    },
  };
  return handler;
}
