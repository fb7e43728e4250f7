import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  type RequestId,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { AccessToken } from '../oauth/types.js';
import type { ProviderDefinition } from '../provider/types.js';
import type { AuditStore, InstanceRecord } from '../store/ports.js';
import type { TokenSource } from '../tokens/source.js';
import type { Clock, FetchLike, Logger } from '../util/types.js';
import type { LogLevelFilter } from './logging.js';
import type { ToolRateLimiter } from './rate-limit.js';
import type { RequestToken } from './token-recovery.js';
import type { ToolContext } from './tool.js';
import { createToolClient } from './tool-client.js';

/** The SDK's per-request `extra` of a server handler (internal). */
export type HandlerExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** One HTTP request to the MCP endpoint, as the handlers of its JSON-RPC requests see it (internal). */
export interface Exchange {
  request: Request;
  /** Correlates log lines and audit records (`x-request-id`). */
  requestId: string;
  /** The instance as the HTTP layer authorised it for this request. */
  instance: InstanceRecord;
  /** The access token of this request, looked up at most once. */
  token: RequestToken;
}

/**
 * What stays the same for every request one `McpServer` answers — one request when stateless, a whole session
 * otherwise (internal).
 */
export interface ServerScope {
  server: McpServer;
  provider: ProviderDefinition;
  tokens: TokenSource;
  fetch: FetchLike;
  logger: Logger;
  rateLimiter: ToolRateLimiter | undefined;
  /** Where tool-call audit records go; none when `undefined`. */
  audit: AuditStore | undefined;
  /** Who calls (`api_key:<keyId>`). */
  actor: string;
  now: Clock;
  /** True for a session's server (server-to-client requests and subscriptions work). */
  inSession: boolean;
  logLevels: LogLevelFilter;
  /** The exchange a JSON-RPC request came with. */
  exchangeOf(id: RequestId): Exchange | undefined;
  /** Sends `notifications/resources/updated` to the instance's sessions subscribed to `uri`. */
  resourceUpdated(uri: string): Promise<number>;
}

/** Everything one tool, resource or prompt call needs (internal). */
export interface CallScope extends ServerScope, Exchange {}

/** The {@link CallScope} of the request `extra` belongs to. */
export function callScopeOf(scope: ServerScope, extra: HandlerExtra): CallScope {
  const exchange = scope.exchangeOf(extra.requestId);
  // Every request reaches a handler through ExchangeTransport.handle, which registers it first.
  if (exchange === undefined)
    throw new McpError(ErrorCode.InternalError, 'Request without an HTTP exchange.');
  return { ...scope, ...exchange };
}

/** `logger` with `fields` added to every line. */
export function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (extra, message) => logger.debug({ ...fields, ...extra }, message),
    info: (extra, message) => logger.info({ ...fields, ...extra }, message),
    warn: (extra, message) => logger.warn({ ...fields, ...extra }, message),
    error: (extra, message) => logger.error({ ...fields, ...extra }, message),
  };
}

/** The {@link ToolContext} of one call with `token` (also the context of resources and prompts). */
export function toolContext(
  scope: CallScope,
  token: AccessToken,
  extra: HandlerExtra,
  logger: Logger,
): ToolContext {
  const signal = AbortSignal.any([scope.request.signal, extra.signal]);
  return {
    accessToken: token.accessToken,
    instance: token.instance,
    grantedScopes: token.grantedScopes,
    apiBaseUrl: scope.provider.endpoints.api,
    fetch: scope.fetch,
    logger,
    signal,
    requestId: scope.requestId,
    ...createToolClient({
      server: scope.server.server,
      extra,
      signal,
      inSession: scope.inSession,
      logLevels: scope.logLevels,
      resourceUpdated: scope.resourceUpdated,
      logger,
    }),
  };
}
