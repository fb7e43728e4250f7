import type { InstanceRecord } from '../../store/ports.js';
import { readJsonBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { jsonResponse } from '../responses.js';
import { cacheTokensBody } from '../schemas.js';

const PAGE_SIZE = 100;

async function* activeInstances(
  context: RequestContext,
  ids: string[] | undefined,
): AsyncGenerator<InstanceRecord> {
  const { store } = context.deps;
  if (ids !== undefined) {
    for (const id of new Set(ids.map((value) => value.toLowerCase()))) {
      const instance = await store.instances.getInstance(id);
      if (instance?.status === 'active') yield instance;
    }
    return;
  }
  let cursor: string | null = null;
  do {
    const page = await store.instances.listInstances({ status: 'active', limit: PAGE_SIZE, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/**
 * `POST /cache-tokens` with `{instanceIds?}`: reloads credentials of the given instances (all active ones when
 * omitted) into the token cache and answers `{reloaded}` or the cache's `{reloaded, failed}`. Without a cache, it warms each active instance through `getAccessToken` (token manager or flow)
 * (which also refreshes tokens near expiry) and reports `{reloaded, failed}`.
 */
export async function reloadTokens(context: RequestContext): Promise<Response> {
  const body = await readJsonBody(context.request, cacheTokensBody, context.deps.maxBodyBytes);
  const { cache, tokens, logger } = context.deps;
  if (cache !== undefined) {
    const report = await cache.reload(body.instanceIds);
    return jsonResponse(typeof report === 'number' ? { reloaded: report } : report);
  }
  let reloaded = 0;
  let failed = 0;
  for await (const instance of activeInstances(context, body.instanceIds)) {
    try {
      await tokens.getAccessToken(instance.instanceId, { requestId: context.requestId, instance });
      reloaded++;
    } catch (error) {
      failed++;
      logger.warn(
        {
          requestId: context.requestId,
          instanceId: instance.instanceId,
          err: error instanceof Error ? error.name : 'unknown',
          code: (error as { code?: unknown } | null)?.code,
        },
        'could not load token',
      );
    }
  }
  return jsonResponse({ reloaded, failed });
}
