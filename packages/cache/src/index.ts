export { cacheKeyOf } from './key.js';
export type { CacheEntry, CacheKey, InvalidationTarget, TokenCache } from './types.js';
