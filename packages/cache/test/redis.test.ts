import { describe } from 'vitest';
import { redisHarness } from './helpers/redis-harness.js';
import { tokenCacheSuite } from './suite/token-cache-suite.js';

const REDIS_URL = process.env.REDIS_URL;

describe.skipIf(!REDIS_URL)('Redis', () => {
  tokenCacheSuite('Redis (@keyv/redis, pub/sub bus)', () => redisHarness(REDIS_URL!));
});
