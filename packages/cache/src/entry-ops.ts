import type { CacheKey } from '@org/mcp-oauth-core';
import type { CacheCore } from './core-context.js';
import { assertCacheEntry, frozenCopy, openEntry, sealEntry } from './envelope.js';
import type { CacheEntry } from './types.js';

/** Best-effort removal of a corrupt or expired shared entry found by a read (failures only logged). */
async function discard(core: CacheCore, storeKey: string, why: string): Promise<void> {
  try {
    await core.shared.remove(storeKey);
  } catch (error) {
    core.counters.errors++;
    core.options.logger.warn({ err: (error as Error).name, why }, 'could not discard a cache entry');
  }
}

/** `get`: the LRU first, then the shared store (decrypting and refilling the LRU). */
export async function getEntry(core: CacheCore, key: CacheKey): Promise<CacheEntry | undefined> {
  core.assertOpen();
  const storeKey = core.storeKeyOf(key);
  const local = core.lru.get(storeKey);
  if (local !== undefined) {
    core.counters.localHits++;
    return local;
  }
  const operation = core.tracker.begin(storeKey);
  let entry: CacheEntry | undefined;
  let lifetime = 0;
  try {
    const envelope = await core.shielded('get', () => core.shared.read(storeKey));
    const now = core.options.now();
    if (envelope === 'malformed') {
      await discard(core, storeKey, 'malformed');
    } else if (envelope !== undefined && envelope.storedUntil <= now) {
      await discard(core, storeKey, 'expired');
    } else if (envelope !== undefined) {
      try {
        entry = await openEntry(core.options.keyRing, key, envelope);
        lifetime = Math.min(core.options.lruTtlMs, envelope.storedUntil - now);
      } catch (error) {
        core.options.logger.warn(
          { serviceName: key.serviceName, instanceId: key.instanceId, err: (error as Error).name },
          'undecryptable cache entry discarded',
        );
        await discard(core, storeKey, 'undecryptable');
      }
    }
  } finally {
    if (core.tracker.end(operation)) entry = undefined;
  }
  if (entry === undefined) {
    core.counters.misses++;
    return undefined;
  }
  const newer = core.lru.peek(storeKey);
  if (newer === undefined || newer.version <= entry.version) core.lru.set(storeKey, entry, { ttl: lifetime });
  core.counters.sharedHits++;
  return entry;
}

/** `set`: encrypted into the shared store (unless a newer version is there), then into the LRU. */
export async function setEntry(core: CacheCore, key: CacheKey, entry: CacheEntry): Promise<void> {
  core.assertOpen();
  assertCacheEntry(entry);
  const storeKey = core.storeKeyOf(key);
  const local = core.lru.peek(storeKey);
  if (local !== undefined && local.version > entry.version) {
    core.counters.staleSetsIgnored++;
    return;
  }
  const copy = frozenCopy(entry);
  const operation = core.tracker.begin(storeKey);
  let stored = false;
  let invalidated = false;
  try {
    const now = core.options.now();
    const envelope = await sealEntry(core.options.keyRing, key, copy, now + core.options.storeTtlMs);
    stored = await core.shielded('set', () =>
      core.shared.write(storeKey, envelope, core.options.storeTtlMs, now),
    );
  } finally {
    invalidated = core.tracker.end(operation);
  }
  if (!stored) {
    core.counters.staleSetsIgnored++;
    const current = core.lru.peek(storeKey);
    if (current !== undefined && current.version < copy.version) core.lru.delete(storeKey);
    return;
  }
  if (invalidated) {
    // An invalidation landed while we wrote: what we wrote may be the invalidated value, so remove it again.
    await discard(core, storeKey, 'invalidated during set');
    return;
  }
  const current = core.lru.peek(storeKey);
  if (current !== undefined && current.version > copy.version) return;
  core.lru.set(storeKey, copy);
  core.counters.sets++;
}
