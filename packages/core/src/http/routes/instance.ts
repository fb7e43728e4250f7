import type { RequestContext } from '../context.js';
import { type InstancePrincipal, lastUseIsStale } from '../instance-auth.js';
import { jsonResponse } from '../responses.js';
import { toInstanceStatusView } from '../views.js';

/** A per-instance route handler: runs after the instance's API key was checked. */
export type InstanceRouteHandler = (
  context: RequestContext,
  principal: InstancePrincipal,
) => Promise<Response>;

/** `GET /:instanceId/health` → `{instanceId, status, healthy}`. */
export const getInstanceHealth: InstanceRouteHandler = async (_context, { instance }) =>
  jsonResponse({
    instanceId: instance.instanceId,
    status: instance.status,
    healthy: instance.status === 'active',
  });

/**
 * `GET /:instanceId/status`: lifecycle and refresh bookkeeping of the credential, never a token. With a token
 * manager (`tokens.status`) it adds the version, whether a refresh runs, the backoff and the breaker states.
 */
export const getInstanceStatus: InstanceRouteHandler = async (context, { instance }) => {
  const { store, tokens } = context.deps;
  const credential = await store.credentials.getCredential(instance.instanceId);
  const token = tokens.status ? await tokens.status(instance.instanceId) : undefined;
  return jsonResponse(toInstanceStatusView(instance, credential, token));
};

/**
 * `POST|GET|DELETE /:instanceId/mcp`: MCP Streamable HTTP, served by the MCP handler (stateless, or in a
 * session when sessions are on; see `createMcpHandler`). Records `last_used` (at most once a minute) without
 * waiting.
 */
export const handleMcp: InstanceRouteHandler = async (context, { instance, apiKey }) => {
  const { store, now, logger, mcp } = context.deps;
  const at = now();
  if (context.request.method === 'POST' && lastUseIsStale(instance.lastUsedAt, at)) {
    // The record may be the principal cache's copy: later requests must see this use without a store read.
    instance.lastUsedAt = new Date(at);
    store.instances
      .updateInstance(instance.instanceId, { lastUsedAt: new Date(at) })
      .catch((error: unknown) => {
        logger.warn(
          {
            requestId: context.requestId,
            instanceId: instance.instanceId,
            err: error instanceof Error ? error.name : 'unknown',
          },
          'could not record instance use',
        );
      });
  }
  return mcp.handle(context.request, instance, apiKey, { requestId: context.requestId });
};

/**
 * `POST /:instanceId/refresh`: forces a refresh-token grant now (through the token manager when configured). Answers the new expiry and version; failures map
 * through the error map (terminal → 409 and the instance needs re-authorization, transient → 503 + Retry-After).
 */
export const refreshInstance: InstanceRouteHandler = async (context, { instance }) => {
  const { tokens, flow } = context.deps;
  const options = { requestId: context.requestId };
  const result = tokens.forceRefresh
    ? await tokens.forceRefresh(instance.instanceId, options)
    : await flow.refreshTokens(instance.instanceId, options);
  return jsonResponse({
    instanceId: result.instanceId,
    refreshed: true,
    rotated: result.rotated,
    expiresAt: result.expiresAt?.toISOString() ?? null,
    version: result.version,
  });
};
