import type { CacheKey } from '@org/mcp-oauth-core';
import type { InvalidationMessage } from './bus.js';
import type { CacheCore } from './core-context.js';
import { isDecryptableKeyId } from './envelope.js';
import { keyPrefixOf, parseCacheKey } from './key.js';
import type { CleanupReport, InvalidationReport } from './types.js';

const CONCURRENCY = 32;
const KEYS_PER_MESSAGE = 500;

/** Runs `task` over `items`, at most {@link CONCURRENCY} at a time; results in input order. */
async function mapConcurrent<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += CONCURRENCY) {
    results.push(...(await Promise.all(items.slice(start, start + CONCURRENCY).map(task))));
  }
  return results;
}

/** Evicts what another replica (or this one) invalidated from the in-process LRU (bus handler). */
export function applyInvalidationMessage(core: CacheCore, message: InvalidationMessage): void {
  // A revocation changes no token: the host acts on it (see `onInvalidationMessage`).
  if (message.kind === 'revoked') return;
  let removed = 0;
  if (message.kind === 'instances') {
    for (const key of message.instances) if (evictLocal(core, core.storeKeyOf(key))) removed++;
  } else if (message.kind === 'service') {
    removed = evictLocalPrefix(core, keyPrefixOf(core.options.namespace, message.serviceName)).length;
  } else {
    removed = evictLocalPrefix(core, '').length;
  }
  core.counters.invalidations += removed;
}

function evictLocal(core: CacheCore, storeKey: string): boolean {
  core.tracker.markKey(storeKey);
  return core.lru.delete(storeKey);
}

function evictLocalPrefix(core: CacheCore, prefix: string): string[] {
  core.tracker.markPrefix(prefix);
  const removed = [...core.lru.keys()].filter((storeKey) => storeKey.startsWith(prefix));
  for (const storeKey of removed) core.lru.delete(storeKey);
  return removed;
}

/** `true` when neither the LRU nor the shared store holds any of `storeKeys`. */
async function absentEverywhere(core: CacheCore, storeKeys: readonly string[]): Promise<boolean> {
  if (storeKeys.some((storeKey) => core.lru.has(storeKey))) return false;
  const reads = await mapConcurrent(storeKeys, (storeKey) =>
    core.shielded('verify', () => core.shared.read(storeKey)),
  );
  return reads.every((read) => read === undefined);
}

/** Deletes from the shared store, reads back, retries once what is still there; returns `verified`. */
async function removeAndVerify(core: CacheCore, storeKeys: readonly string[]): Promise<boolean> {
  if (await absentEverywhere(core, storeKeys)) return true;
  for (const storeKey of storeKeys) evictLocal(core, storeKey);
  await mapConcurrent(storeKeys, (storeKey) => core.shielded('delete', () => core.shared.remove(storeKey)));
  const verified = await absentEverywhere(core, storeKeys);
  if (!verified)
    core.options.logger.warn({ keys: storeKeys.length }, 'cache invalidation could not be verified');
  return verified;
}

/**
 * Invalidates `keys` here, in the shared store and on every replica, then verifies. Local eviction happens
 * first and always; a shared store or bus failure is thrown (`CACHE_UNAVAILABLE`) after the other steps ran.
 */
export async function invalidateKeys(
  core: CacheCore,
  keys: readonly CacheKey[],
): Promise<InvalidationReport> {
  core.assertOpen();
  const unique = new Map(keys.map((key) => [core.storeKeyOf(key), key]));
  const storeKeys = [...unique.keys()];
  const removedKeys = new Set(storeKeys.filter((storeKey) => evictLocal(core, storeKey)));
  let failure: unknown;
  try {
    const existed = await mapConcurrent(storeKeys, (storeKey) =>
      core.shielded('delete', () => core.shared.remove(storeKey)),
    );
    existed.forEach((had, index) => {
      if (had) removedKeys.add(storeKeys[index]!);
    });
  } catch (error) {
    failure = error;
  }
  const targets = [...unique.values()];
  for (let start = 0; start < targets.length; start += KEYS_PER_MESSAGE) {
    try {
      const instances = targets.slice(start, start + KEYS_PER_MESSAGE);
      await core.publish({ kind: 'instances', origin: core.id, instances });
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  const verified = await removeAndVerify(core, storeKeys);
  core.counters.invalidations += removedKeys.size;
  return { removed: removedKeys.size, verified };
}

async function collectKeys(core: CacheCore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const storeKey of core.shared.scan(prefix)) keys.push(storeKey);
  return keys;
}

/** `emergencyCacheClear`: every entry of a service, everywhere; verified by a second scan. */
export async function clearService(core: CacheCore, serviceName: string): Promise<InvalidationReport> {
  core.assertOpen();
  const prefix = keyPrefixOf(core.options.namespace, serviceName);
  const removed = new Set(evictLocalPrefix(core, prefix));
  let failure: unknown;
  try {
    const storeKeys = await collectKeys(core, prefix);
    const existed = await mapConcurrent(storeKeys, (storeKey) =>
      core.shielded('delete', () => core.shared.remove(storeKey)),
    );
    existed.forEach((had, index) => {
      if (had) removed.add(storeKeys[index]!);
    });
  } catch (error) {
    failure = error;
  }
  try {
    await core.publish({ kind: 'service', origin: core.id, serviceName });
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
  const leftovers = await collectKeys(core, prefix);
  const verified = leftovers.length === 0 || (await removeAndVerify(core, leftovers));
  const localLeft = [...core.lru.keys()].some((storeKey) => storeKey.startsWith(prefix));
  core.counters.invalidations += removed.size;
  core.options.logger.warn({ serviceName, removed: removed.size }, 'emergency cache clear');
  return { removed: removed.size, verified: verified && !localLeft };
}

type Cause = 'expired' | 'inactive' | 'undecryptable';

/** `cleanupInvalidCacheEntries`: expired, non-active and undecryptable entries, everywhere. */
export async function cleanupInvalid(core: CacheCore, reason: string): Promise<CleanupReport> {
  core.assertOpen();
  const now = core.options.now();
  const causes = new Map<string, Cause>();
  for (const [storeKey, entry] of core.lru.entries()) {
    if (entry.expiresAt !== null && entry.expiresAt <= now) causes.set(storeKey, 'expired');
    else if (entry.status !== 'active') causes.set(storeKey, 'inactive');
  }
  const storeKeys = (await collectKeys(core, keyPrefixOf(core.options.namespace))).filter(
    (storeKey) => parseCacheKey(storeKey, core.options.namespace) !== undefined,
  );
  const reads = await mapConcurrent(storeKeys, (storeKey) =>
    core.shielded('cleanup', () => core.shared.read(storeKey)),
  );
  reads.forEach((envelope, index) => {
    const storeKey = storeKeys[index]!;
    if (envelope === undefined) return;
    if (envelope === 'malformed' || !isDecryptableKeyId(core.options.keyRing, envelope)) {
      causes.set(storeKey, 'undecryptable');
    } else if (envelope.storedUntil <= now || (envelope.expiresAt !== null && envelope.expiresAt <= now)) {
      causes.set(storeKey, 'expired');
    } else if (envelope.status !== 'active') {
      causes.set(storeKey, 'inactive');
    }
  });
  const keys = [...causes.keys()]
    .map((storeKey) => parseCacheKey(storeKey, core.options.namespace))
    .filter((key): key is CacheKey => key !== undefined);
  const report = keys.length === 0 ? { removed: 0, verified: true } : await invalidateKeys(core, keys);
  const count = (cause: Cause) => [...causes.values()].filter((value) => value === cause).length;
  core.options.logger.info({ reason, removed: report.removed }, 'cache cleanup');
  return {
    ...report,
    reason,
    expired: count('expired'),
    inactive: count('inactive'),
    undecryptable: count('undecryptable'),
  };
}
