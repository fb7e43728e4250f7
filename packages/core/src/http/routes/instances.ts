import { recordAudit } from '../audit.js';
import type { RequestContext } from '../context.js';
import { instanceNotFound } from '../instance-auth.js';
import { requireInstanceId } from '../params.js';
import { jsonResponse } from '../responses.js';
import { listInstancesQuery } from '../schemas.js';
import { validate } from '../validate.js';
import { toInstanceView } from '../views.js';

/** `GET /api/v1/instances?serviceName&userId&status&limit&cursor` → `{items, nextCursor}` (limit ≤ 100, default 50). */
export async function listInstances(context: RequestContext): Promise<Response> {
  const search = context.url.searchParams;
  const raw: Record<string, string> = {};
  for (const name of ['serviceName', 'userId', 'status', 'limit', 'cursor']) {
    const value = search.get(name);
    if (value !== null) raw[name] = value;
  }
  const query = validate(listInstancesQuery, raw);
  const page = await context.deps.store.instances.listInstances(query);
  return jsonResponse({ items: page.items.map(toInstanceView), nextCursor: page.nextCursor });
}

/** `GET /api/v1/instances/:id`. */
export async function getInstance(context: RequestContext): Promise<Response> {
  const instance = await context.deps.store.instances.getInstance(requireInstanceId(context));
  if (instance === null) throw instanceNotFound();
  return jsonResponse(toInstanceView(instance));
}

async function revokeUpstream(
  context: RequestContext,
  instanceId: string,
): Promise<{ revoked: boolean; detail: string }> {
  try {
    return await context.deps.flow.revokeTokens(instanceId, { requestId: context.requestId });
  } catch (error) {
    // The admin asked for the instance to be gone; a failed revocation is reported, not a reason to keep it.
    context.deps.logger.warn(
      { requestId: context.requestId, instanceId, err: error instanceof Error ? error.name : 'unknown' },
      'upstream revocation failed during delete',
    );
    return { revoked: false, detail: 'Upstream revocation failed; the tokens were deleted locally.' };
  }
}

/**
 * `DELETE /api/v1/instances/:id`: revokes the tokens upstream, deletes the instance (credentials, states and API
 * keys go with it by cascade), ends its MCP sessions on this replica, drops the cached token and writes an audit
 * record.
 */
export async function deleteInstance(context: RequestContext): Promise<Response> {
  const instanceId = requireInstanceId(context);
  const { store, cache, logger } = context.deps;
  const instance = await store.instances.getInstance(instanceId);
  if (instance === null) throw instanceNotFound();
  const revocation = await revokeUpstream(context, instanceId);
  if (!(await store.instances.deleteInstance(instanceId))) throw instanceNotFound();
  context.deps.forgetPrincipals([instanceId]);
  context.deps.mcp.endSessions({ instanceId });
  if (cache?.invalidate !== undefined) {
    await cache.invalidate(instanceId, instance.serviceName).catch((error: unknown) => {
      logger.warn(
        { requestId: context.requestId, instanceId, err: error instanceof Error ? error.name : 'unknown' },
        'could not purge cached token',
      );
    });
  }
  await cache?.announceRevoked?.(instanceId).catch((error: unknown) => {
    logger.warn(
      { requestId: context.requestId, instanceId, err: error instanceof Error ? error.name : 'unknown' },
      'could not announce the deleted instance to other replicas',
    );
  });
  await recordAudit(context, {
    instanceId,
    actor: 'admin',
    event: 'instance.deleted',
    outcome: 'success',
    details: { serviceName: instance.serviceName, upstreamRevoked: revocation.revoked },
  });
  return jsonResponse({ deleted: true, upstreamRevoked: revocation.revoked, detail: revocation.detail });
}
