import { type CacheKey, ConfigError } from '@org/mcp-oauth-core';
import type { CacheCore } from './core-context.js';
import { setEntry } from './entry-ops.js';
import { invalidateKeys } from './invalidation.js';
import { parseCacheKey } from './key.js';
import { positiveInteger } from './options.js';
import type {
  SyncDivergence,
  SyncHandle,
  SyncLoader,
  SyncOptions,
  SyncReport,
  SyncSnapshot,
  WarmUpHandle,
  WarmUpItem,
  WarmUpLoader,
  WarmUpReport,
} from './sync-types.js';
import type { CacheEntry } from './types.js';

/** Why `cached` disagrees with the database, or `undefined` when it does not. */
function divergenceOf(
  cached: CacheEntry,
  snapshot: SyncSnapshot | undefined,
): SyncDivergence['cause'] | undefined {
  if (snapshot === undefined) return 'deleted';
  if (snapshot.status !== cached.status) return 'status';
  if (snapshot.version !== cached.version) return 'version';
  return undefined;
}

async function repair(
  core: CacheCore,
  key: CacheKey,
  cause: SyncDivergence['cause'],
  snapshot: SyncSnapshot | undefined,
): Promise<SyncDivergence> {
  await invalidateKeys(core, [key]);
  const fresh = snapshot?.entry;
  const refresh = fresh !== undefined && cause !== 'deleted' && fresh.status === 'active';
  if (refresh) await setEntry(core, key, fresh);
  return { ...key, cause, action: refresh ? 'refreshed' : 'evicted' };
}

/** Compares every in-process entry with the database (`load`, by batches) and repairs divergences. */
export async function syncOnce(core: CacheCore, load: SyncLoader, batchSize = 100): Promise<SyncReport> {
  core.assertOpen();
  const report: SyncReport = { checked: 0, repaired: 0, divergences: [], failedBatches: 0 };
  const storeKeys = [...core.lru.keys()];
  for (let start = 0; start < storeKeys.length && !core.closed; start += batchSize) {
    const batch = storeKeys
      .slice(start, start + batchSize)
      .map((storeKey) => ({ storeKey, key: parseCacheKey(storeKey, core.options.namespace) }))
      .filter((item): item is { storeKey: string; key: CacheKey } => item.key !== undefined);
    try {
      const snapshots = await load(batch.map((item) => item.key));
      for (const { storeKey, key } of batch) {
        // Compare with what is cached now: a newer entry may have been set while `load` ran.
        const cached = core.lru.peek(storeKey);
        if (cached === undefined) continue;
        report.checked++;
        const snapshot = snapshots.get(key.instanceId);
        if (
          snapshot !== undefined &&
          snapshot.version < cached.version &&
          snapshot.status === cached.status
        ) {
          continue; // the database read raced a newer write; the next run compares again
        }
        const cause = divergenceOf(cached, snapshot);
        if (cause === undefined) continue;
        report.divergences.push(await repair(core, key, cause, snapshot));
        report.repaired++;
      }
    } catch (error) {
      report.failedBatches++;
      core.options.logger.warn(
        { err: (error as Error).name, code: (error as { code?: unknown }).code },
        'cache sync batch failed',
      );
    }
  }
  if (report.repaired > 0 || report.failedBatches > 0) {
    core.options.logger.info(
      { checked: report.checked, repaired: report.repaired, failedBatches: report.failedBatches },
      'cache sync',
    );
  }
  return report;
}

/** Starts the periodic sync (internal); `register` lets `close()` stop it. */
export function startPeriodicSync(
  core: CacheCore,
  options: SyncOptions,
  register: (stop: () => void) => void,
): SyncHandle {
  core.assertOpen();
  const intervalMs = positiveInteger('intervalMs', options.intervalMs, 300_000);
  const batchSize = positiveInteger('batchSize', options.batchSize, 100);
  if (typeof options.load !== 'function') throw new ConfigError('load', 'must be a function');
  let running: Promise<SyncReport> | undefined;
  const syncNow = (): Promise<SyncReport> => {
    running ??= syncOnce(core, options.load, batchSize).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = core.options.scheduler.setInterval(() => {
    if (core.closed || running !== undefined) return;
    syncNow().catch((error: unknown) => {
      core.options.logger.warn({ err: (error as Error).name }, 'cache sync failed');
    });
  }, intervalMs);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    core.options.scheduler.clearInterval(timer);
  };
  register(stop);
  return { syncNow, stop };
}

async function runWarmUp(core: CacheCore, load: WarmUpLoader): Promise<WarmUpReport> {
  const report: WarmUpReport = { loaded: 0, failed: 0, completed: false };
  try {
    const items: AsyncIterable<WarmUpItem> | Iterable<WarmUpItem> = await load();
    for await (const { key, entry } of items) {
      if (core.closed) return report;
      try {
        await setEntry(core, key, entry);
        report.loaded++;
      } catch (error) {
        report.failed++;
        if (report.failed === 1) {
          core.options.logger.warn({ err: (error as Error).name }, 'cache warm-up could not store an entry');
        }
      }
    }
    report.completed = true;
  } catch (error) {
    core.options.logger.warn({ err: (error as Error).name }, 'cache warm-up failed');
  }
  core.options.logger.info({ ...report }, 'cache warm-up finished');
  return report;
}

/** Starts a warm-up in the background and returns at once (internal). */
export function startWarmUp(core: CacheCore, load: WarmUpLoader): WarmUpHandle {
  core.assertOpen();
  // A macrotask boundary: the loader is not even called before the caller has moved on.
  const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => runWarmUp(core, load));
  return { done };
}
