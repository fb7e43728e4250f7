import type { KeyRing } from '../crypto/types.js';
import { ConfigError } from '../errors/index.js';
import type { OAuthFlow } from '../oauth/types.js';
import type { LockStore, Store } from '../store/ports.js';
import { type Clock, type Logger, silentLogger } from '../util/types.js';
import { createTokenEvents, type TokenEventBus } from './events.js';
import type { DistributedLock, TokenCachePort } from './ports.js';

/** A circuit breaker's thresholds. */
export interface BreakerOptions {
  /** Consecutive transient refresh failures that open the breaker. */
  consecutiveFailures?: number;
  /** How long an open breaker refuses calls before it lets one probe through (half-open). */
  halfOpenAfterMs?: number;
}

/** Exponential backoff between refresh attempts of one instance. */
export interface BackoffOptions {
  /** Delay after the first failure; doubles with every further consecutive failure. @default 1_000 */
  baseMs?: number;
  /** Upper bound of the delay. @default 300_000 (5 minutes) */
  maxMs?: number;
}

/** Options of {@link createTokenManager}. */
export interface TokenManagerOptions {
  /** The OAuth flow that performs the refresh-token grant and saves the result (`createOAuthFlow`). */
  flow: OAuthFlow;
  store: Store;
  /** Decrypts the stored access token. */
  keyRing: KeyRing;
  /** Token cache read first (`createTokenCache` of `@org/mcp-oauth-cache`). Without one every call reads the database. */
  cache?: TokenCachePort;
  /** Cross-replica fast-path lock (Redis), taken before the database lock. The database lock stays the authority. */
  fastLock?: DistributedLock;
  /** The database lock, the authority across replicas. @default `store.locks` */
  locks?: Pick<LockStore, 'withLock'>;
  /** @default Date.now */
  now?: Clock;
  /** @default silentLogger */
  logger?: Logger;
  /** Refresh access tokens that expire within this margin. @default 300_000 (5 minutes) */
  refreshMarginMs?: number;
  /** How long a refresh waits for another replica's refresh lock. @default 15_000 */
  lockWaitMs?: number;
  /** Expiry of the fast-path lock, bounding how long a crashed holder blocks it. @default 30_000 */
  lockTtlMs?: number;
  /** Breaker per provider (service). @default { consecutiveFailures: 5, halfOpenAfterMs: 30_000 } */
  breaker?: BreakerOptions;
  /** Breaker per instance, for one account failing repeatedly. @default { consecutiveFailures: 3, halfOpenAfterMs: 60_000 } */
  instanceBreaker?: BreakerOptions;
  /** Backoff between attempts of one instance. @default { baseMs: 1_000, maxMs: 300_000 } */
  backoff?: BackoffOptions;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
  /** Event bus to emit on (share it with the expiration monitor). @default a new bus */
  events?: TokenEventBus;
}

/** Validated options with defaults applied (internal). */
export interface TokenManagerDeps {
  flow: OAuthFlow;
  store: Store;
  keyRing: KeyRing;
  cache: TokenCachePort | undefined;
  fastLock: DistributedLock | undefined;
  locks: Pick<LockStore, 'withLock'>;
  now: Clock;
  logger: Logger;
  refreshMarginMs: number;
  lockWaitMs: number;
  lockTtlMs: number;
  breaker: Required<BreakerOptions>;
  instanceBreaker: Required<BreakerOptions>;
  backoff: Required<BackoffOptions>;
  random: () => number;
  events: TokenEventBus;
}

function duration(option: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(option, `must be a finite number of milliseconds >= ${min}`);
  }
  return value;
}

function count(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(option, 'must be a positive integer');
  return value;
}

function object(option: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) throw new ConfigError(option, 'is required');
}

function optionalFunctions(option: string, value: unknown, methods: readonly string[]): void {
  if (value === undefined) return;
  object(option, value);
  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function') {
      throw new ConfigError(option, `must have a ${method}() method`);
    }
  }
}

function breakerOptions(
  option: string,
  value: BreakerOptions | undefined,
  fallback: Required<BreakerOptions>,
): Required<BreakerOptions> {
  if (value !== undefined) object(option, value);
  return {
    consecutiveFailures: count(
      `${option}.consecutiveFailures`,
      value?.consecutiveFailures,
      fallback.consecutiveFailures,
    ),
    halfOpenAfterMs: duration(
      `${option}.halfOpenAfterMs`,
      value?.halfOpenAfterMs,
      fallback.halfOpenAfterMs,
      1,
    ),
  };
}

/** Validates {@link TokenManagerOptions} once and applies defaults. @throws ConfigError naming the bad option. */
export function resolveTokenManagerOptions(options: TokenManagerOptions): TokenManagerDeps {
  object('options', options);
  object('flow', options.flow);
  if (typeof options.flow.refreshTokens !== 'function' || typeof options.flow.providers?.get !== 'function') {
    throw new ConfigError('flow', 'must be an OAuthFlow');
  }
  object('store', options.store);
  object('keyRing', options.keyRing);
  if (typeof options.keyRing.decrypt !== 'function') throw new ConfigError('keyRing', 'must be a KeyRing');
  optionalFunctions('cache', options.cache, ['get', 'set', 'invalidateInstanceCache']);
  optionalFunctions('fastLock', options.fastLock, ['acquire']);
  optionalFunctions('locks', options.locks, ['withLock']);
  optionalFunctions('events', options.events, ['on', 'off', 'emit']);
  for (const fn of ['now', 'random'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function')
      throw new ConfigError(fn, 'must be a function');
  }
  const locks = options.locks ?? options.store.locks;
  if (typeof locks?.withLock !== 'function') {
    throw new ConfigError('store.locks', 'must be a LockStore (the database refresh lock)');
  }
  const backoff = options.backoff;
  if (backoff !== undefined) object('backoff', backoff);
  const baseMs = duration('backoff.baseMs', backoff?.baseMs, 1_000, 1);
  const maxMs = duration('backoff.maxMs', backoff?.maxMs, 300_000, 1);
  if (maxMs < baseMs) throw new ConfigError('backoff.maxMs', 'must be >= backoff.baseMs');
  const logger = options.logger ?? silentLogger;
  return {
    flow: options.flow,
    store: options.store,
    keyRing: options.keyRing,
    cache: options.cache,
    fastLock: options.fastLock,
    locks,
    now: options.now ?? Date.now,
    logger,
    refreshMarginMs: duration('refreshMarginMs', options.refreshMarginMs, 300_000),
    lockWaitMs: duration('lockWaitMs', options.lockWaitMs, 15_000),
    lockTtlMs: duration('lockTtlMs', options.lockTtlMs, 30_000, 1),
    breaker: breakerOptions('breaker', options.breaker, { consecutiveFailures: 5, halfOpenAfterMs: 30_000 }),
    instanceBreaker: breakerOptions('instanceBreaker', options.instanceBreaker, {
      consecutiveFailures: 3,
      halfOpenAfterMs: 60_000,
    }),
    backoff: { baseMs, maxMs },
    random: options.random ?? Math.random,
    events: options.events ?? createTokenEvents({ logger }),
  };
}
