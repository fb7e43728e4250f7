import { ConfigError } from '../errors/index.js';
import type { Store } from '../store/ports.js';
import type { TokenEventName, TokenEvents } from '../tokens/ports.js';
import { type Clock, type Logger, silentLogger } from '../util/types.js';

/** What the monitor needs of the token manager: a forced refresh through the normal engine. */
export interface MonitorTokenRefresher {
  /**
   * Refreshes the instance's tokens now (the token manager's `forceRefresh`), with its locks, breakers and
   * events. A rejection counts as a failed refresh of that instance only.
   */
  refresh(instanceId: string): Promise<unknown>;
}

/** Where the monitor emits `expiring` and `expired` (a `TokenEventBus`, or any emitter with this shape). */
export interface MonitorEventSink {
  emit<E extends TokenEventName>(name: E, event: TokenEvents[E]): unknown;
}

/** The cache clean-up the monitor runs at the end of a sweep (`createTokenCache` provides it). */
export interface MonitorCacheCleaner {
  cleanupInvalidCacheEntries(reason: string): Promise<unknown>;
}

/** Timer functions, injectable for tests. Handles with an `unref()` method are unref'd. */
export interface MonitorScheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link createExpirationMonitor}. */
export interface ExpirationMonitorOptions {
  /** Store with the monitor queries, leases, states and instances. */
  store: Store;
  /** The token manager, e.g. `{ refresh: (id) => tokenManager.forceRefresh(id) }`. */
  tokens: MonitorTokenRefresher;
  /** Receives `expiring` (before each due refresh) and `expired` events. */
  events?: MonitorEventSink;
  /** Cache whose invalid entries are cleaned at the end of every sweep. */
  cache?: MonitorCacheCleaner;
  /** @default Date.now */
  now?: Clock;
  logger?: Logger;
  /** Time between the end of one sweep and the start of the next (`start()`). @default 60_000 */
  intervalMs?: number;
  /** Delay of the first sweep after `start()`. @default 0 */
  initialDelayMs?: number;
  /** Refresh tokens expiring within this margin. @default 300_000 (5 minutes) */
  refreshMarginMs?: number;
  /**
   * Refresh tokens neither used nor refreshed for this long, so providers do not revoke them for
   * inactivity; `null` turns idle refreshes off. @default 604_800_000 (7 days)
   */
  idleRefreshAfterMs?: number | null;
  /** `pending_oauth` instances older than this are deleted. @default 300_000 (5 minutes) */
  pendingTtlMs?: number;
  /** Rows per page of every monitor query and delete batch, 1..1000. @default 200 */
  pageSize?: number;
  /** Refreshes running at once toward one provider (service). @default 4 */
  concurrencyPerProvider?: number;
  /**
   * Lifetime of the sweep lease. The owner renews it at every page and keeps it between sweeps, so one
   * replica keeps sweeping; another takes over once it lapses (owner stopped or dead). Keep it above
   * `intervalMs` and above the time one page of refreshes takes. @default 3 × intervalMs
   */
  leaseTtlMs?: number;
  /** This replica's lease owner id. @default `expiration-monitor:<random UUID>` */
  owner?: string;
  /** @default globalThis.setTimeout / clearTimeout */
  scheduler?: MonitorScheduler;
}

/** Validated options with defaults (internal). */
export interface MonitorDeps {
  store: Store;
  tokens: MonitorTokenRefresher;
  events: MonitorEventSink | undefined;
  cache: MonitorCacheCleaner | undefined;
  now: Clock;
  logger: Logger;
  intervalMs: number;
  initialDelayMs: number;
  refreshMarginMs: number;
  idleRefreshAfterMs: number | null;
  pendingTtlMs: number;
  pageSize: number;
  concurrencyPerProvider: number;
  leaseTtlMs: number;
  owner: string;
  scheduler: MonitorScheduler;
}

function integer(
  option: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(option, `must be an integer between ${min} and ${max}`);
  }
  return value;
}

const MAX_MS = 2 ** 31 - 1;

function hasMethod(value: unknown, method: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[method] === 'function'
  );
}

const defaultScheduler: MonitorScheduler = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Validates {@link ExpirationMonitorOptions} once and applies defaults. @throws ConfigError naming the option. */
export function resolveMonitorOptions(options: ExpirationMonitorOptions): MonitorDeps {
  const { store } = options;
  if (!hasMethod(store?.monitor, 'listDueForRefresh') || !hasMethod(store?.locks, 'tryLease')) {
    throw new ConfigError('store', 'must be a Store with `monitor` and `locks` (run the latest migrations)');
  }
  if (!hasMethod(options.tokens, 'refresh'))
    throw new ConfigError('tokens', 'must have a refresh(instanceId) method');
  if (options.events !== undefined && !hasMethod(options.events, 'emit')) {
    throw new ConfigError('events', 'must have an emit(name, event) method');
  }
  if (options.cache !== undefined && !hasMethod(options.cache, 'cleanupInvalidCacheEntries')) {
    throw new ConfigError('cache', 'must have a cleanupInvalidCacheEntries(reason) method');
  }
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new ConfigError('now', 'must be a function');
  const scheduler = options.scheduler ?? defaultScheduler;
  if (!hasMethod(scheduler, 'setTimeout') || !hasMethod(scheduler, 'clearTimeout')) {
    throw new ConfigError('scheduler', 'must have setTimeout and clearTimeout');
  }
  const intervalMs = integer('intervalMs', options.intervalMs, 60_000, 1, MAX_MS);
  const idle = options.idleRefreshAfterMs;
  const owner = options.owner ?? `expiration-monitor:${globalThis.crypto.randomUUID()}`;
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 200) {
    throw new ConfigError('owner', 'must be a non-empty string of at most 200 characters');
  }
  return {
    store,
    tokens: options.tokens,
    events: options.events,
    cache: options.cache,
    now: options.now ?? Date.now,
    logger: options.logger ?? silentLogger,
    intervalMs,
    initialDelayMs: integer('initialDelayMs', options.initialDelayMs, 0, 0, MAX_MS),
    refreshMarginMs: integer('refreshMarginMs', options.refreshMarginMs, 300_000, 0, MAX_MS),
    idleRefreshAfterMs:
      idle === null
        ? null
        : integer('idleRefreshAfterMs', idle, 7 * 24 * 3_600_000, 1, Number.MAX_SAFE_INTEGER),
    pendingTtlMs: integer('pendingTtlMs', options.pendingTtlMs, 300_000, 1, Number.MAX_SAFE_INTEGER),
    pageSize: integer('pageSize', options.pageSize, 200, 1, 1_000),
    concurrencyPerProvider: integer('concurrencyPerProvider', options.concurrencyPerProvider, 4, 1, 100),
    leaseTtlMs: integer('leaseTtlMs', options.leaseTtlMs, Math.min(3 * intervalMs, MAX_MS), 1, MAX_MS),
    owner,
    scheduler,
  };
}
