import { randomToken } from '../../crypto/random.js';
import { isUuid } from '../../util/uuid.js';
import { recordAudit } from '../audit.js';
import { readJsonBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { API_KEY_PREFIX, instanceNotFound } from '../instance-auth.js';
import { param, requireInstanceId } from '../params.js';
import { emptyResponse, jsonResponse } from '../responses.js';
import { createApiKeyBody } from '../schemas.js';

/** Characters of the key kept in clear (`mcpk_` + 7) so a person can recognise it in a list. */
const VISIBLE_PREFIX_LENGTH = 12;

/**
 * `POST /api/v1/instances/:id/api-keys` → 201 `{keyId, apiKey, prefix, createdAt}`. The key is `mcpk_` plus 32
 * random bytes; only its SHA-256 hash and prefix are stored, so this response is the only time it is shown.
 */
export async function createApiKey(context: RequestContext): Promise<Response> {
  const instanceId = requireInstanceId(context);
  const body = await readJsonBody(context.request, createApiKeyBody, context.deps.maxBodyBytes);
  const { store, now } = context.deps;
  if ((await store.instances.getInstance(instanceId)) === null) throw instanceNotFound();
  const apiKey = `${API_KEY_PREFIX}${randomToken(32)}`;
  const record = await store.apiKeys.createApiKey({
    keyId: globalThis.crypto.randomUUID(),
    instanceId,
    keyHash: await context.deps.sha256(apiKey),
    prefix: apiKey.slice(0, VISIBLE_PREFIX_LENGTH),
    name: body.name ?? null,
    createdAt: new Date(now()),
  });
  await recordAudit(context, {
    instanceId,
    actor: 'admin',
    event: 'api_key.created',
    outcome: 'success',
    details: { keyId: record.keyId, prefix: record.prefix },
  });
  return jsonResponse(
    { keyId: record.keyId, apiKey, prefix: record.prefix, createdAt: record.createdAt.toISOString() },
    201,
  );
}

/**
 * Makes every replica forget the deleted key: locally at once; elsewhere through the cache's revocation
 * announcement (which also ends their MCP sessions of the key), or, without one, through the token cache's
 * invalidation (which also drops the cached token there — a store read, the price of the key stopping at once).
 * A failing cache is logged: the key is deleted and the replicas' principal TTL still bounds its life.
 */
async function forgetEverywhere(context: RequestContext, instanceId: string, keyId: string): Promise<void> {
  const { cache, logger } = context.deps;
  context.deps.forgetPrincipals([instanceId]);
  try {
    if (cache?.announceRevoked !== undefined) await cache.announceRevoked(instanceId, keyId);
    else await cache?.invalidate?.(instanceId);
  } catch (error) {
    logger.warn(
      { requestId: context.requestId, instanceId, err: error instanceof Error ? error.name : 'unknown' },
      'could not announce the deleted API key to other replicas',
    );
  }
}

/**
 * `DELETE /api/v1/instances/:id/api-keys/:keyId` → 204 (the key's MCP sessions on this replica end), or 404 when
 * the key does not belong to the instance.
 */
export async function deleteApiKey(context: RequestContext): Promise<Response> {
  const instanceId = requireInstanceId(context);
  const keyId = param(context, 'keyId');
  const notFound = new HttpError(404, 'API_KEY_NOT_FOUND', 'API key not found.');
  if (!isUuid(keyId)) throw notFound;
  if (!(await context.deps.store.apiKeys.deleteApiKey(instanceId, keyId.toLowerCase()))) throw notFound;
  context.deps.mcp.endSessions({ instanceId, keyId: keyId.toLowerCase() });
  await forgetEverywhere(context, instanceId, keyId.toLowerCase());
  await recordAudit(context, {
    instanceId,
    actor: 'admin',
    event: 'api_key.deleted',
    outcome: 'success',
    details: { keyId: keyId.toLowerCase() },
  });
  return emptyResponse(204);
}
