import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ConfigError, InstanceError, OAuthFlowError, RefreshError } from '../errors/index.js';
import { errorResponse } from '../http/responses.js';
import type { OAuthFlow } from '../oauth/types.js';
import type { ApiKeyRecord, AuditStore, InstanceRecord } from '../store/ports.js';
import type { TokenSource } from '../tokens/source.js';
import { type Clock, type FetchLike, type Logger, silentLogger } from '../util/types.js';
import { DEFAULT_MCP_MAX_BODY_BYTES } from './body-limit.js';
import { isAllowedHost } from './host-check.js';
import { acceptLogLevel } from './logging.js';
import { createToolRateLimiter, type ToolRateLimiter, type ToolRateLimitOptions } from './rate-limit.js';
import { registerReadables } from './register-resources.js';
import { type CallScope, registerTool } from './register-tool.js';
import { requestToken } from './token-recovery.js';
import { selectTools } from './tool-filter.js';

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
  /** Clock of audit records and durations. @default Date.now */
  now?: Clock;
}

/** Serves MCP Streamable HTTP for one already-authorised instance per request. */
export interface McpHandler {
  /**
   * Answers one MCP request for `instance`. Only `POST` is served: the server is stateless (no session, no
   * server-initiated stream), so `GET` and `DELETE` answer 405 with `Allow: POST`, as the Streamable HTTP
   * transport allows.
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
}

/** Failures after which tools stay listed (from the requested scopes) and each call explains what to do. */
function isRecoverable(error: unknown): boolean {
  return (
    error instanceof RefreshError || (error instanceof InstanceError && error.code !== 'INSTANCE_NOT_FOUND')
  );
}

/**
 * Creates the MCP endpoint handler. Every request gets a fresh `McpServer` and transport scoped to exactly one
 * instance — never one shared across instances (CVE-2026-25536) — listing only the tools that instance may
 * use (see {@link selectTools}). Tools fetch the access token at call time; failures become `isError` results
 * with a message a model can act on. When a tool's upstream call answers 401 and `tokens.reportUnauthorized`
 * exists, the token source decides: a replaced or refreshed token → the tool runs once more with it;
 * `needs_reauth` → the result asks for a reconnect.
 *
 * @throws ConfigError when an option is invalid.
 * @example
 * ```ts
 * const mcp = createMcpHandler({ flow, logger, allowedHosts: ['localhost:49296'] });
 * const response = await mcp.handle(request, instance, apiKey, { requestId });
 * ```
 */
export function createMcpHandler(options: McpHandlerOptions): McpHandler {
  const { flow } = options;
  const tokens: TokenSource = options.tokens ?? flow;
  if (typeof tokens.getAccessToken !== 'function')
    throw new ConfigError('tokens', 'must have getAccessToken()');
  const logger = options.logger ?? silentLogger;
  const fetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const version = options.version ?? '0.0.0';
  const now = options.now ?? Date.now;
  // The SDK builds a new Ajv per server by default (~0.4 ms per request); the validator holds compiled schemas
  // only (used for elicitation), nothing of an instance, so one per handler is safe to share.
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MCP_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new ConfigError('maxBodyBytes', 'must be a positive integer');
  }
  const rateLimiter: ToolRateLimiter | undefined =
    options.rateLimit === undefined ? undefined : createToolRateLimiter(options.rateLimit);
  const allowedHosts = options.allowedHosts;
  if (allowedHosts?.some((host) => typeof host !== 'string' || host.trim() === '')) {
    throw new ConfigError('allowedHosts', 'entries must be non-empty host names');
  }

  return {
    async handle(request, instance, apiKey, handleOptions) {
      if (request.method !== 'POST') {
        return errorResponse(
          405,
          'METHOD_NOT_ALLOWED',
          'This MCP endpoint is stateless: send JSON-RPC messages with POST.',
          { allow: 'POST' },
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
      let grantedScopes: readonly string[];
      try {
        grantedScopes = (await token.get()).grantedScopes;
      } catch (error) {
        if (!isRecoverable(error)) throw error;
        grantedScopes = instance.config.scopes;
      }

      const server = new McpServer(
        { name: `mcp-oauth-${provider.id}`, title: provider.displayName, version },
        { capabilities: { tools: {} }, jsonSchemaValidator },
      );
      const scope: CallScope = {
        request,
        provider,
        instance,
        tokens,
        token,
        fetch,
        logger,
        requestId,
        rateLimiter,
        audit: options.audit,
        actor: `api_key:${apiKey.keyId}`,
        now,
      };
      for (const tool of selectTools(provider.tools ?? [], instance.config, grantedScopes, provider)) {
        registerTool(server, tool, scope);
      }
      registerReadables(server, scope, instance.config, grantedScopes);
      acceptLogLevel(server);
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        maxRequestBodySize: maxBodyBytes,
      });
      try {
        await server.connect(transport);
        return await transport.handleRequest(request);
      } finally {
        await server.close().catch(() => undefined);
      }
    },
  };
}
