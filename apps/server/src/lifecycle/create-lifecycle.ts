import type { SyncHandle, WarmUpHandle } from '@org/mcp-oauth-cache';
import {
  type CacheControl,
  type Clock,
  createExpirationMonitor,
  createTokenEvents,
  createTokenManager,
  type KeyRing,
  type Logger,
  type OAuthFlow,
  type Store,
  type TokenManager,
} from '@org/mcp-oauth-core';
import { createCacheControl, syncLoader, warmUpLoader } from './cache-loaders.js';
import { logTokenEvents } from './event-log.js';
import { openTokenCache } from './token-cache.js';

/** Options of {@link createLifecycle}. */
export interface LifecycleOptions {
  flow: OAuthFlow;
  store: Store;
  keyRing: KeyRing;
  /** `REDIS_URL`, or `null` for the in-process cache. */
  redisUrl: string | null;
  /** Enabled service names (to purge a deleted instance whose service is unknown). */
  serviceNames: readonly string[];
  logger: Logger;
  now?: Clock;
  /** Instance ids another replica invalidated (`undefined`: all); see `openTokenCache`. */
  onRemoteInvalidation?: (instanceIds: readonly string[] | undefined) => void;
  /** An instance or API key another replica deleted; see `openTokenCache`. */
  onRemoteRevocation?: (instanceId: string, keyId: string | null) => void;
  /** Time between two expiration sweeps. @default 60_000 */
  monitorIntervalMs?: number;
  /** Time between two cache/database synchronisations. @default 300_000 */
  syncIntervalMs?: number;
  /** Most entries loaded by the start-up warm-up. @default 1_000 */
  warmUpLimit?: number;
}

/** The token lifecycle of the server: what the HTTP handler needs, and the background jobs. */
export interface Lifecycle {
  tokens: TokenManager;
  /** Options for core's `createHttpHandler`. */
  http: {
    tokens: TokenManager;
    cache: CacheControl;
    healthChecks: { cache: () => Promise<void> };
    stats: () => Record<string, unknown>;
  };
  /** Starts the expiration monitor, the cache warm-up and the periodic sync; call once the server listens. */
  start(): void;
  /** Stops the monitor (waiting for a running sweep) and the sync, and closes the cache connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Wires the token lifecycle: the token cache (Redis with `redisUrl`, else memory) and the Redis lock, one event
 * bus whose events are logged, the token manager, and the expiration monitor refreshing through it. Returns
 * without waiting for Redis.
 *
 * @example
 * ```ts
 * const lifecycle = await createLifecycle({ flow, store, keyRing, redisUrl, serviceNames, logger });
 * const http = createHttpHandler({ flow, store, adminToken, version, ...lifecycle.http });
 * lifecycle.start();
 * ```
 */
export async function createLifecycle(options: LifecycleOptions): Promise<Lifecycle> {
  const { flow, store, keyRing, logger, now } = options;
  const opened = await openTokenCache({
    redisUrl: options.redisUrl,
    keyRing,
    logger,
    now,
    onRemoteInvalidation: options.onRemoteInvalidation,
    onRemoteRevocation: options.onRemoteRevocation,
  });
  const { cache, fastLock } = opened;
  const events = createTokenEvents({ logger });
  const unsubscribe = logTokenEvents(events, logger);
  const tokens = createTokenManager({ flow, store, keyRing, cache, fastLock, events, logger, now });
  const monitor = createExpirationMonitor({
    store,
    tokens: { refresh: (instanceId) => tokens.forceRefresh(instanceId) },
    events,
    cache,
    logger,
    now,
    intervalMs: options.monitorIntervalMs,
  });
  const loaderDeps = { store, keyRing, logger, now };
  let sync: SyncHandle | undefined;
  let warmUp: WarmUpHandle | undefined;
  let closing: Promise<void> | undefined;

  const close = async (): Promise<void> => {
    await monitor.stop();
    sync?.stop();
    unsubscribe();
    await opened.close();
    await warmUp?.done;
  };

  return {
    tokens,
    http: {
      tokens,
      cache: createCacheControl({ ...loaderDeps, cache, tokens, serviceNames: options.serviceNames }),
      healthChecks: { cache: () => cache.ping() },
      stats: () => ({ cache: { backend: opened.kind, ...cache.stats() }, tokens: tokens.stats() }),
    },
    start() {
      if (closing !== undefined || sync !== undefined) return;
      monitor.start();
      sync = cache.startSync({ load: syncLoader(store), intervalMs: options.syncIntervalMs ?? 300_000 });
      warmUp = cache.warmUp(warmUpLoader(loaderDeps, options.warmUpLimit ?? 1_000));
      void warmUp.done.then((report) => logger.info({ ...report }, 'token cache warm-up done'));
      logger.info({ cache: opened.kind, monitorOwner: monitor.owner }, 'token lifecycle started');
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
