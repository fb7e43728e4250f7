import { isMcpOAuthError } from '../errors/base.js';
import type { DueCredential, MonitorCursor } from '../store/ports.js';
import type { TokenEventName, TokenEvents } from '../tokens/ports.js';
import { createSemaphore, type Semaphore } from '../util/semaphore.js';
import type { MonitorDeps } from './options.js';

/** Name of the lease that makes one replica the sweeper. */
export const MONITOR_LEASE = 'expiration-monitor';

/** What one sweep did. */
export interface SweepSummary {
  /** True when another sweep (this replica's or another's) held the lease; nothing else was done. */
  skipped: boolean;
  /** Successful refreshes (due and idle). */
  refreshed: number;
  /** Of `refreshed`, those refreshed because the token sat unused. */
  idleRefreshed: number;
  /** Refreshes that failed (the token manager reports why through its events). */
  failed: number;
  /** Instances marked `expired`. */
  expired: number;
  /** Stale `pending_oauth` instances deleted. */
  pendingDeleted: number;
  /** Expired or consumed OAuth states deleted. */
  statesDeleted: number;
  /** True when the lease was lost mid-sweep (another replica took over) and the sweep stopped early. */
  leaseLost: boolean;
  /** Wall time by the injected clock. */
  durationMs: number;
}

class LeaseLost extends Error {}

/** A summary with every count at zero. */
export function emptySummary(skipped: boolean): SweepSummary {
  return {
    skipped,
    refreshed: 0,
    idleRefreshed: 0,
    failed: 0,
    expired: 0,
    pendingDeleted: 0,
    statesDeleted: 0,
    leaseLost: false,
    durationMs: 0,
  };
}

/** Error fields safe to log: our codes and names, never messages of foreign errors. */
function errorFields(error: unknown): Record<string, unknown> {
  if (isMcpOAuthError(error)) return { code: error.code, name: error.name };
  return { name: error instanceof Error ? error.name : typeof error };
}

/**
 * Runs one sweep as the holder of the lease {@link MONITOR_LEASE} (taken before, renewed before every page):
 * refresh due tokens, refresh idle ones, mark expired ones, delete stale pending instances and old states,
 * clean the cache. Only store failures reject; a failing refresh is counted and logged.
 */
export async function runSweep(deps: MonitorDeps): Promise<SweepSummary> {
  const { store, logger } = deps;
  const startedAt = deps.now();
  const summary = emptySummary(false);
  const at = () => new Date(deps.now());

  if (!(await store.locks.tryLease(MONITOR_LEASE, deps.owner, at(), deps.leaseTtlMs))) {
    logger.debug({ owner: deps.owner }, 'expiration sweep skipped: another replica holds the lease');
    return emptySummary(true);
  }
  const renew = async () => {
    if (!(await store.locks.tryLease(MONITOR_LEASE, deps.owner, at(), deps.leaseTtlMs)))
      throw new LeaseLost();
  };

  const emit = <E extends TokenEventName>(name: E, event: TokenEvents[E]) => {
    try {
      deps.events?.emit(name, event);
    } catch (error) {
      logger.warn({ event: name, err: errorFields(error) }, 'token event sink failed');
    }
  };

  const gates = new Map<string, Semaphore>();
  const refreshOne = async (due: DueCredential, idle: boolean) => {
    let gate = gates.get(due.serviceName);
    if (gate === undefined) {
      gate = createSemaphore(deps.concurrencyPerProvider);
      gates.set(due.serviceName, gate);
    }
    const release = await gate.acquire();
    try {
      if (!idle && due.expiresAt !== null) {
        emit('expiring', {
          instanceId: due.instanceId,
          serviceName: due.serviceName,
          expiresAt: due.expiresAt,
        });
      }
      await Promise.resolve().then(() => deps.tokens.refresh(due.instanceId));
      summary.refreshed += 1;
      if (idle) summary.idleRefreshed += 1;
    } catch (error) {
      summary.failed += 1;
      logger.debug(
        { instanceId: due.instanceId, serviceName: due.serviceName, idle, err: errorFields(error) },
        'monitor refresh failed',
      );
    } finally {
      release?.();
    }
  };

  try {
    const dueBefore = new Date(startedAt + deps.refreshMarginMs);
    let cursor: MonitorCursor | null = null;
    for (;;) {
      const page = await store.monitor.listDueForRefresh(dueBefore, cursor, deps.pageSize);
      if (page.length === 0) break;
      await renew();
      await Promise.all(page.map((due) => refreshOne(due, false)));
      const last = page.at(-1) as DueCredential;
      cursor = { expiresAt: last.expiresAt as Date, instanceId: last.instanceId };
      if (page.length < deps.pageSize) break;
    }

    if (deps.idleRefreshAfterMs !== null) {
      const idleSince = new Date(startedAt - deps.idleRefreshAfterMs);
      let after: string | null = null;
      for (;;) {
        const page = await store.monitor.listIdle(idleSince, after, deps.pageSize);
        if (page.length === 0) break;
        await renew();
        // Tokens due within the margin were handled (successfully or not) by the first phase.
        const idle = page.filter((due) => due.expiresAt === null || due.expiresAt > dueBefore);
        await Promise.all(idle.map((due) => refreshOne(due, true)));
        after = (page.at(-1) as DueCredential).instanceId;
        if (page.length < deps.pageSize) break;
      }
    }

    for (;;) {
      await renew();
      const ids = await store.monitor.markExpired(new Date(startedAt), deps.pageSize);
      summary.expired += ids.length;
      for (const instanceId of ids) {
        const [instance, credential] = await Promise.all([
          store.instances.getInstance(instanceId),
          store.credentials.getCredential(instanceId),
        ]);
        if (instance === null) continue;
        emit('expired', {
          instanceId,
          serviceName: instance.serviceName,
          expiredAt: credential?.expiresAt ?? new Date(startedAt),
        });
      }
      if (ids.length < deps.pageSize) break;
    }

    const pendingBefore = new Date(startedAt - deps.pendingTtlMs);
    for (;;) {
      await renew();
      const deleted = await store.instances.deleteStalePending(pendingBefore, deps.pageSize);
      summary.pendingDeleted += deleted;
      if (deleted < deps.pageSize) break;
    }
    for (;;) {
      await renew();
      const deleted = await store.states.deleteExpiredStates(new Date(startedAt), deps.pageSize);
      summary.statesDeleted += deleted;
      if (deleted < deps.pageSize) break;
    }
  } catch (error) {
    if (!(error instanceof LeaseLost)) throw error;
    summary.leaseLost = true;
    logger.warn({ owner: deps.owner }, 'expiration sweep stopped: the lease passed to another replica');
  }

  if (deps.cache !== undefined && !summary.leaseLost) {
    try {
      await deps.cache.cleanupInvalidCacheEntries('expiration-monitor');
    } catch (error) {
      logger.warn({ err: errorFields(error) }, 'cache clean-up after the expiration sweep failed');
    }
  }
  summary.durationMs = Math.max(0, deps.now() - startedAt);
  return summary;
}
