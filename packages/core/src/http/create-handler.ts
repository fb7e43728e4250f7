import { type BatchingAuditStore, createBatchingAuditStore } from '../audit/batching-audit-store.js';
import { sha256Hex } from '../crypto/hash.js';
import { ConfigError } from '../errors/index.js';
import { createMcpHandler, type McpHandler } from '../mcp/handler.js';
import { silentLogger } from '../util/types.js';
import { createAdminAuth } from './admin-auth.js';
import type { HttpDeps, RequestContext, RouteHandler } from './context.js';
import { mapAndLog } from './failure.js';
import { createInstanceAuth } from './instance-auth.js';
import { type HttpHandlerOptions, resolveHttpOptions } from './options.js';
import { createPrincipalCache } from './principal-cache.js';
import { errorResponse, withHeader } from './responses.js';
import { createRouter, type Route } from './router.js';
import { createApiKey, deleteApiKey } from './routes/api-keys.js';
import { reloadTokens } from './routes/cache-tokens.js';
import { getCallback } from './routes/callback.js';
import { getHealth } from './routes/health.js';
import {
  getInstanceHealth,
  getInstanceStatus,
  handleMcp,
  type InstanceRouteHandler,
  refreshInstance,
} from './routes/instance.js';
import { deleteInstance, getInstance, listInstances } from './routes/instances.js';
import { initiateOAuth, listServices, validateService } from './routes/registry.js';

/** The framework-free HTTP entry point: mount `handle` on any server that speaks `Request`/`Response`. */
export interface HttpHandler {
  /** Answers one request. Never throws: every failure becomes `{error: {code, message}}` with a status. */
  handle(request: Request): Promise<Response>;
  /**
   * Forgets which instance recently resolved API keys unlock — for the given instances, or all when omitted —
   * so the next request reads the key and the instance from the store again. This handler calls it itself for
   * changes it makes (key or instance deleted, instance connected or re-armed); call it when another replica
   * reports a change (e.g. from the token cache's `onInvalidationMessage`).
   */
  forgetPrincipals(instanceIds?: readonly string[]): void;
  /**
   * The MCP endpoint's handler: `notifyResourceUpdated` for subscribed sessions, `endSessions`, `sessionCount`,
   * and `close()` to end every MCP session on shutdown. Sessions of a deleted instance or API key are ended by
   * this handler itself.
   */
  readonly mcp: McpHandler;
  /**
   * Shutdown, before the store closes: ends every MCP session, then waits until the tool-call audit records still
   * queued are written, at most `timeoutMs` (default 5 000). Resolves `false` when records were still waiting.
   */
  close(options?: { timeoutMs?: number }): Promise<boolean>;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

function admin(handler: RouteHandler): RouteHandler {
  return async (context) => {
    await context.deps.adminAuth.authorize(context.request);
    return handler(context);
  };
}

function perInstance(handler: InstanceRouteHandler): RouteHandler {
  return async (context) => {
    const principal = await context.deps.instanceAuth.authorize(
      context.request,
      context.params.instanceId ?? '',
    );
    return handler(context, principal);
  };
}

const REGISTRY = '/api/v1/auth-registry/auth';

/** The route table of ARCHITECTURE.md §4 (first match wins). */
const ROUTES: readonly Route<RouteHandler>[] = [
  { method: 'GET', pattern: '/health', handler: getHealth },
  { method: 'GET', pattern: `${REGISTRY}/callback/:serviceName`, handler: getCallback },
  { method: 'GET', pattern: `${REGISTRY}/services`, handler: admin(listServices) },
  { method: 'POST', pattern: `${REGISTRY}/validate/:serviceName`, handler: admin(validateService) },
  { method: 'POST', pattern: `${REGISTRY}/initiate-oauth/:serviceName`, handler: admin(initiateOAuth) },
  { method: 'GET', pattern: '/api/v1/instances', handler: admin(listInstances) },
  { method: 'GET', pattern: '/api/v1/instances/:id', handler: admin(getInstance) },
  { method: 'DELETE', pattern: '/api/v1/instances/:id', handler: admin(deleteInstance) },
  { method: 'POST', pattern: '/api/v1/instances/:id/api-keys', handler: admin(createApiKey) },
  { method: 'DELETE', pattern: '/api/v1/instances/:id/api-keys/:keyId', handler: admin(deleteApiKey) },
  { method: 'POST', pattern: '/cache-tokens', handler: admin(reloadTokens) },
  { method: 'POST', pattern: '/:instanceId/mcp', handler: perInstance(handleMcp) },
  { method: 'GET', pattern: '/:instanceId/mcp', handler: perInstance(handleMcp) },
  { method: 'DELETE', pattern: '/:instanceId/mcp', handler: perInstance(handleMcp) },
  { method: 'GET', pattern: '/:instanceId/health', handler: perInstance(getInstanceHealth) },
  { method: 'GET', pattern: '/:instanceId/status', handler: perInstance(getInstanceStatus) },
  { method: 'POST', pattern: '/:instanceId/refresh', handler: perInstance(refreshInstance) },
];

function requestIdOf(request: Request): string {
  const incoming = request.headers.get('x-request-id');
  return incoming !== null && REQUEST_ID.test(incoming) ? incoming : globalThis.crypto.randomUUID();
}

/**
 * Creates the HTTP surface of ARCHITECTURE.md §4 as one `Request → Response` function: `/health`, the
 * auth-registry callback, the admin API (`Authorization: Bearer <adminToken>`; missing and wrong tokens both
 * answer 401), and the per-instance routes (`Authorization: Bearer <instance API key>`) including MCP.
 *
 * Every response carries `x-request-id` (a sane incoming one is kept) and `Cache-Control: no-store`; failures
 * are `{error: {code, message}}` with statuses from one error map, never a secret or a stack.
 *
 * @throws ConfigError when an option is invalid (checked once, here).
 * @example
 * ```ts
 * const http = createHttpHandler({ flow, store, adminToken, version: '0.1.0', logger });
 * const response = await http.handle(new Request('http://localhost/health'));
 * ```
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const resolved = resolveHttpOptions(options);
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const { flow, store } = options;
  const tokens = options.tokens ?? flow;
  const principals =
    options.principalCache === false ? undefined : createPrincipalCache(options.principalCache ?? {}, now);
  if (options.sha256 !== undefined && typeof options.sha256 !== 'function') {
    throw new ConfigError('sha256', 'must be a function');
  }
  const sha256 = options.sha256 ?? sha256Hex;
  const forgetPrincipals = (instanceIds?: readonly string[]): void => principals?.forget(instanceIds);
  const audit = createBatchingAuditStore(store.audit, { logger });
  const deps: HttpDeps = {
    flow,
    tokens,
    store,
    now,
    logger,
    version: options.version,
    startedAt: now(),
    maxBodyBytes: resolved.maxBodyBytes,
    adminAuth: createAdminAuth(options.adminToken),
    instanceAuth: createInstanceAuth({ store, now, logger, principals, sha256 }),
    sha256,
    forgetPrincipals,
    mcp: createMcpHandler({
      flow,
      ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
      logger,
      fetch: options.fetch,
      allowedHosts: options.allowedHosts,
      version: options.version,
      maxBodyBytes: resolved.mcpMaxBodyBytes,
      ...(options.toolRateLimit !== undefined ? { rateLimit: { now, ...options.toolRateLimit } } : {}),
      audit,
      now,
      ...(options.mcpSessions !== undefined ? { sessions: options.mcpSessions } : {}),
    }),
    cache: options.cache,
    healthChecks: options.healthChecks ?? {},
    healthTimeoutMs: resolved.healthTimeoutMs,
    stats: options.stats,
  };
  const router = createRouter(ROUTES);

  async function dispatch(request: Request, requestId: string): Promise<Response> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return errorResponse(400, 'INVALID_REQUEST', 'The request URL is malformed.');
    }
    const match = router.match(request.method, url.pathname);
    if (match.kind === 'not_found') return errorResponse(404, 'NOT_FOUND', 'No such route.');
    if (match.kind === 'method_not_allowed') {
      const allow = match.allow.includes('GET') ? [...match.allow, 'HEAD'] : match.allow;
      return errorResponse(405, 'METHOD_NOT_ALLOWED', 'Method not allowed on this route.', {
        allow: allow.join(', '),
      });
    }
    const context: RequestContext = { request, url, params: match.params, requestId, deps };
    return match.handler(context);
  }

  return {
    async handle(request) {
      const requestId = requestIdOf(request);
      let response: Response;
      try {
        response = await dispatch(request, requestId);
      } catch (error) {
        const mapped = mapAndLog(error, requestId, logger);
        response = errorResponse(mapped.status, mapped.code, mapped.message, mapped.headers);
      }
      response = withHeader(response, 'x-request-id', requestId);
      if (request.method === 'HEAD') {
        await response.body?.cancel().catch(() => undefined);
        return new Response(null, { status: response.status, headers: response.headers });
      }
      return response;
    },
    forgetPrincipals,
    mcp: deps.mcp,
    async close(closeOptions) {
      await deps.mcp.close();
      const drained = await drainWithin(audit, closeOptions?.timeoutMs ?? 5_000);
      if (!drained) logger.warn({ pending: audit.pending() }, 'audit records still queued at shutdown');
      return drained;
    },
  };
}

/** Waits for `audit` to drain, at most `timeoutMs`; `true` when it did. */
async function drainWithin(audit: BatchingAuditStore, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([audit.drain().then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
