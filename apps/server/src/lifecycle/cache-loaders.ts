import type { SyncLoader, SyncSnapshot, TokenCache, WarmUpItem } from '@org/mcp-oauth-cache';
import {
  type CacheControl,
  type CacheKey,
  type CacheReloadReport,
  type Clock,
  type InstanceRecord,
  type KeyRing,
  type Logger,
  readCacheEntry,
  type Store,
  type TokenSource,
} from '@org/mcp-oauth-core';

const PAGE_SIZE = 100;

/** What the loaders read from. */
export interface CacheLoaderDeps {
  store: Store;
  keyRing: KeyRing;
  logger: Logger;
  now?: Clock;
}

function errorFields(error: unknown): Record<string, unknown> {
  return {
    err: error instanceof Error ? error.name : 'unknown',
    code: (error as { code?: unknown } | null)?.code,
  };
}

/** Active instances page by page (indexed, ordered by creation), at most `limit`. */
async function* activeInstances(store: Store, limit: number): AsyncGenerator<InstanceRecord> {
  let cursor: string | null = null;
  let yielded = 0;
  do {
    const page = await store.instances.listInstances({ status: 'active', limit: PAGE_SIZE, cursor });
    for (const instance of page.items) {
      if (yielded++ >= limit) return;
      yield instance;
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/**
 * The warm-up loader: the cache entries of up to `limit` active instances, read from the database (tokens within
 * the refresh margin are skipped: the token manager refreshes them on first use). An instance whose entry
 * cannot be read is logged and skipped.
 */
export function warmUpLoader(deps: CacheLoaderDeps, limit: number): () => AsyncIterable<WarmUpItem> {
  return async function* load() {
    for await (const instance of activeInstances(deps.store, limit)) {
      const key = { serviceName: instance.serviceName, instanceId: instance.instanceId };
      try {
        const entry = await readCacheEntry(deps, instance);
        if (entry !== undefined) yield { key, entry };
      } catch (error) {
        deps.logger.warn({ instanceId: instance.instanceId, ...errorFields(error) }, 'cache warm-up skipped');
      }
    }
  };
}

/**
 * The synchronisation loader: version and status of each cached instance from the database. Instances that are
 * gone (or lost their tokens) are left out of the map, so their entries are evicted; a divergent entry is
 * evicted and reloaded from the database on next use.
 */
export function syncLoader(store: Store): SyncLoader {
  return async (keys: readonly CacheKey[]) => {
    const snapshots = new Map<string, SyncSnapshot>();
    for (const { instanceId } of keys) {
      const instance = await store.instances.getInstance(instanceId);
      if (instance === null) continue;
      const credential = await store.credentials.getCredential(instanceId);
      if (credential === null) continue;
      snapshots.set(instanceId, { version: credential.version, status: instance.status });
    }
    return snapshots;
  };
}

/** What {@link createCacheControl} needs. */
export interface CacheControlDeps extends CacheLoaderDeps {
  cache: TokenCache;
  /** The token manager: refreshes tokens that are due while reloading. */
  tokens: TokenSource;
  /** Enabled services, tried when an instance's service is unknown. */
  serviceNames: readonly string[];
}

/**
 * Core's `CacheControl` over the token cache: `reload` (`POST /cache-tokens`) puts the database's entries of
 * the given active instances (all when omitted) in the cache — tokens that are due go through the token manager
 * and get refreshed — and `invalidate` drops an instance's entry on every replica.
 */
export function createCacheControl(deps: CacheControlDeps): CacheControl {
  const { cache, store, tokens, logger } = deps;

  async function reloadOne(instance: InstanceRecord): Promise<void> {
    const key = { serviceName: instance.serviceName, instanceId: instance.instanceId };
    const entry = await readCacheEntry(deps, instance);
    if (entry !== undefined) await cache.set(key, entry);
    else await tokens.getAccessToken(instance.instanceId, { instance });
  }

  async function* targets(instanceIds: string[] | undefined): AsyncGenerator<InstanceRecord> {
    if (instanceIds === undefined) {
      yield* activeInstances(store, Number.POSITIVE_INFINITY);
      return;
    }
    for (const id of new Set(instanceIds.map((value) => value.toLowerCase()))) {
      const instance = await store.instances.getInstance(id);
      if (instance?.status === 'active') yield instance;
    }
  }

  return {
    async reload(instanceIds): Promise<CacheReloadReport> {
      const report = { reloaded: 0, failed: 0 };
      for await (const instance of targets(instanceIds)) {
        try {
          await reloadOne(instance);
          report.reloaded++;
        } catch (error) {
          report.failed++;
          logger.warn({ instanceId: instance.instanceId, ...errorFields(error) }, 'could not reload token');
        }
      }
      return report;
    },
    async invalidate(instanceId, serviceName) {
      const known = serviceName ?? (await store.instances.getInstance(instanceId))?.serviceName;
      const names = known === undefined ? deps.serviceNames : [known];
      for (const name of names) await cache.invalidateInstanceCache(name, instanceId);
    },
    announceRevoked: (instanceId, keyId) => cache.announceRevocation(instanceId, keyId),
  };
}
