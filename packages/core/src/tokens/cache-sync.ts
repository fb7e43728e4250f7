import type { AccessToken } from '../oauth/types.js';
import { errorFields, type ManagerContext } from './context.js';
import { type LoadedCredential, toCacheEntry } from './credential-view.js';

/** Stores a token read from the database in the cache. A cache failure is logged: the database answered. */
export async function fillCache(
  context: ManagerContext,
  loaded: LoadedCredential,
  token: AccessToken,
): Promise<void> {
  const { cache, logger, now } = context.deps;
  if (cache === undefined) return;
  const { instanceId, serviceName } = loaded.instance;
  try {
    await cache.set({ serviceName, instanceId }, toCacheEntry(loaded, token, now()));
  } catch (error) {
    context.counters.cacheErrors++;
    logger.warn({ instanceId, serviceName, ...errorFields(error) }, 'token cache write failed');
  }
}

/**
 * Drops an instance's cache entry here and on every other replica (needs_reauth, a replaced token).
 * A failure is logged as an error: another replica may keep serving the entry until its TTL.
 */
export async function purgeCache(
  context: ManagerContext,
  serviceName: string,
  instanceId: string,
): Promise<void> {
  const { cache, logger } = context.deps;
  if (cache === undefined) return;
  try {
    await cache.invalidateInstanceCache(serviceName, instanceId);
  } catch (error) {
    context.counters.cacheErrors++;
    logger.error({ instanceId, serviceName, ...errorFields(error) }, 'token cache invalidation failed');
  }
}

/**
 * After a refresh: invalidate first (every replica drops its local copy of the replaced token), then store
 * the new entry. The version guard of `set` keeps a slower writer of the old row from winning afterwards.
 */
export async function publishRefreshed(
  context: ManagerContext,
  loaded: LoadedCredential,
  token: AccessToken,
): Promise<void> {
  if (context.deps.cache === undefined) return;
  await purgeCache(context, loaded.instance.serviceName, loaded.instance.instanceId);
  await fillCache(context, loaded, token);
}
