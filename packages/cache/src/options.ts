import { type Clock, ConfigError, type KeyRing, type Logger, silentLogger } from '@org/mcp-oauth-core';
import { Keyv } from 'keyv';
import { createNoopInvalidationBus, type InvalidationBus, type InvalidationMessage } from './bus.js';
import { DEFAULT_CACHE_NAMESPACE, NAMESPACE_PATTERN } from './key.js';
import type { Scheduler, StoreHooks, TokenCacheOptions } from './types.js';

/** {@link TokenCacheOptions} with defaults applied (internal). */
export interface ResolvedOptions {
  keyRing: KeyRing;
  store: Keyv;
  namespace: string;
  lruMaxEntries: number;
  lruTtlMs: number;
  storeTtlMs: number;
  bus: InvalidationBus;
  hooks: StoreHooks;
  now: Clock;
  logger: Logger;
  scheduler: Scheduler;
  onInvalidationMessage: ((message: InvalidationMessage) => void) | undefined;
}

const defaultScheduler: Scheduler = {
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    handle.unref();
    return handle;
  },
  clearInterval(handle) {
    clearInterval(handle as ReturnType<typeof setInterval>);
  },
};

/** A positive integer option, or its default. */
export function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigError(option, 'must be a positive integer');
  return value;
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/** A process-local keyv whose failures surface (the default shared layer). */
function defaultStore(): Keyv {
  return new Keyv({ store: new Map(), namespace: undefined, useKeyPrefix: false, throwOnErrors: true });
}

/** Validates {@link TokenCacheOptions} once and applies defaults. @throws ConfigError naming the option. */
export function resolveOptions(options: TokenCacheOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  if (!hasMethods(options.keyRing, ['encrypt', 'decrypt', 'keyIdOf'])) {
    throw new ConfigError('keyRing', 'must be a KeyRing (createKeyRing)');
  }
  if (
    options.store !== undefined &&
    !(options.store instanceof Keyv) &&
    !hasMethods(options.store, ['get', 'set', 'delete'])
  ) {
    throw new ConfigError('store', 'must be a Keyv instance');
  }
  const namespace = options.namespace ?? DEFAULT_CACHE_NAMESPACE;
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) {
    throw new ConfigError('namespace', 'must match [A-Za-z0-9_.:/-]{1,100}');
  }
  if (
    options.invalidationBus !== undefined &&
    !hasMethods(options.invalidationBus, ['publish', 'subscribe', 'close'])
  ) {
    throw new ConfigError('invalidationBus', 'must have publish, subscribe and close');
  }
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new ConfigError('now', 'must be a function');
  if (options.logger !== undefined && !hasMethods(options.logger, ['debug', 'info', 'warn', 'error'])) {
    throw new ConfigError('logger', 'must have debug, info, warn and error');
  }
  if (options.scheduler !== undefined && !hasMethods(options.scheduler, ['setInterval', 'clearInterval'])) {
    throw new ConfigError('scheduler', 'must have setInterval and clearInterval');
  }
  if (options.onInvalidationMessage !== undefined && typeof options.onInvalidationMessage !== 'function') {
    throw new ConfigError('onInvalidationMessage', 'must be a function');
  }
  if (
    options.storeHooks !== undefined &&
    (typeof options.storeHooks !== 'object' || options.storeHooks === null)
  ) {
    throw new ConfigError('storeHooks', 'must be an object');
  }
  const store = options.store ?? defaultStore();
  // keyv swallows store errors by default (set returns false, get returns undefined): make them surface.
  store.throwOnErrors = true;
  return {
    keyRing: options.keyRing,
    store,
    namespace,
    lruMaxEntries: positiveInteger('lruMaxEntries', options.lruMaxEntries, 10_000),
    lruTtlMs: positiveInteger('lruTtlMs', options.lruTtlMs, 300_000),
    storeTtlMs: positiveInteger('storeTtlMs', options.storeTtlMs, 3_600_000),
    bus: options.invalidationBus ?? createNoopInvalidationBus(),
    hooks: options.storeHooks ?? {},
    now: options.now ?? Date.now,
    logger: options.logger ?? silentLogger,
    scheduler: options.scheduler ?? defaultScheduler,
    onInvalidationMessage: options.onInvalidationMessage,
  };
}
