export type {
  InvalidationBus,
  InvalidationHandler,
  InvalidationMessage,
  LocalInvalidationHub,
} from './bus.js';
export { createLocalInvalidationHub, createNoopInvalidationBus, parseInvalidationMessage } from './bus.js';
export { createTokenCache } from './create-token-cache.js';
export type { CacheErrorCode } from './errors.js';
export { CacheError } from './errors.js';
export { cacheKeyOf, DEFAULT_CACHE_NAMESPACE, parseCacheKey } from './key.js';
export type {
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
export type {
  CacheEntry,
  CacheStats,
  CleanupReport,
  InvalidationReport,
  Scheduler,
  StoredEnvelope,
  StoreHooks,
  TokenCache,
  TokenCacheOptions,
} from './types.js';
