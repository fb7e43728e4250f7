import { isMcpOAuthError } from '../errors/base.js';
import { type ExpirationMonitorOptions, resolveMonitorOptions } from './options.js';
import { emptySummary, MONITOR_LEASE, runSweep, type SweepSummary } from './sweep.js';

/** The background job that keeps tokens fresh and tables tidy. */
export interface ExpirationMonitor {
  /**
   * Runs one sweep now. Resolves `{ skipped: true }` when a sweep of this monitor is already running or another
   * replica holds the lease. Rejects only when the store fails (a failing refresh is counted, not thrown).
   */
  sweep(): Promise<SweepSummary>;
  /** Sweeps every `intervalMs` (after `initialDelayMs`), never overlapping; the timer does not keep the process alive. Idempotent. */
  start(): void;
  /** Stops scheduling, waits for a running sweep and gives up the lease so another replica takes over. Idempotent. */
  stop(): Promise<void>;
  /** Lease owner id of this monitor. */
  readonly owner: string;
}

/**
 * Creates the expiration monitor of ARCHITECTURE.md §3. One replica at a time sweeps (the lease
 * `expiration-monitor` in the store); a sweep pages through indexed queries and never loads every instance:
 *
 * 1. tokens expiring within `refreshMarginMs`: `expiring` event, then `tokens.refresh` (at most
 *    `concurrencyPerProvider` at once per service; the token manager emits `refreshed` / `refresh_failed`);
 * 2. tokens neither used nor refreshed for `idleRefreshAfterMs`: refreshed the same way;
 * 3. active instances whose token expired and cannot be refreshed: marked `expired`, `expired` event;
 * 4. `pending_oauth` instances older than `pendingTtlMs` and expired or consumed OAuth states: deleted;
 * 5. `cache.cleanupInvalidCacheEntries('expiration-monitor')`.
 *
 * Logs carry instance ids, service names and error codes only.
 *
 * @throws ConfigError `CONFIG_INVALID_OPTION` naming the bad option.
 * @example
 * ```ts
 * const monitor = createExpirationMonitor({
 *   store,
 *   tokens: { refresh: (instanceId) => tokenManager.forceRefresh(instanceId) },
 *   events: tokenEvents,
 *   cache,
 *   logger,
 * });
 * monitor.start();
 * // on shutdown
 * await monitor.stop();
 * ```
 */
export function createExpirationMonitor(options: ExpirationMonitorOptions): ExpirationMonitor {
  const deps = resolveMonitorOptions(options);
  const { logger, scheduler } = deps;
  let running: Promise<SweepSummary> | null = null;
  let started = false;
  let timer: unknown;

  const sweep = (): Promise<SweepSummary> => {
    if (running !== null) return Promise.resolve(emptySummary(true));
    const current = runSweep(deps).finally(() => {
      running = null;
    });
    running = current;
    return current;
  };

  const schedule = (ms: number) => {
    timer = scheduler.setTimeout(() => void tick(), ms);
    (timer as { unref?: () => void } | null)?.unref?.();
  };

  const tick = async () => {
    timer = undefined;
    if (!started) return;
    try {
      const summary = await sweep();
      if (!summary.skipped) {
        const busy = summary.refreshed + summary.failed + summary.expired + summary.pendingDeleted > 0;
        if (busy) logger.info({ ...summary }, 'expiration sweep done');
        else logger.debug({ ...summary }, 'expiration sweep done');
      }
    } catch (error) {
      logger.error(
        { err: isMcpOAuthError(error) ? { code: error.code } : { name: (error as Error)?.name } },
        'expiration sweep failed',
      );
    }
    if (started) schedule(deps.intervalMs);
  };

  return {
    owner: deps.owner,
    sweep,
    start() {
      if (started) return;
      started = true;
      schedule(deps.initialDelayMs);
    },
    async stop() {
      started = false;
      if (timer !== undefined) {
        scheduler.clearTimeout(timer);
        timer = undefined;
      }
      await running?.catch(() => {});
      try {
        await deps.store.locks.releaseLease(MONITOR_LEASE, deps.owner);
      } catch (error) {
        logger.warn(
          { err: isMcpOAuthError(error) ? { code: error.code } : { name: (error as Error)?.name } },
          'expiration monitor could not release its lease',
        );
      }
    },
  };
}
