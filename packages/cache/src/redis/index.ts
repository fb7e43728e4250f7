export type { RedisInvalidationBus, RedisInvalidationBusOptions } from './bus.js';
export { createRedisInvalidationBus } from './bus.js';
export type { RedisConnectionOptions } from './client.js';
export type { RedisTokenCache, RedisTokenCacheOptions } from './create-redis-token-cache.js';
export { createRedisTokenCache } from './create-redis-token-cache.js';
export type { RedisLock, RedisLockClient, RedisLockOptions } from './lock.js';
export { createRedisLock } from './lock.js';
export type { RedisEvalClient, RedisRateLimitStore, RedisRateLimitStoreOptions } from './rate-limit.js';
export { createRedisRateLimitStore } from './rate-limit.js';
