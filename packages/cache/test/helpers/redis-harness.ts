import { createClient } from '@redis/client';
import { createRedisTokenCache, type RedisConnectionOptions } from '../../src/redis/index.js';
import type { CacheSuiteHarness } from '../suite/token-cache-suite.js';
import { randomId } from './fixtures.js';

/** A plain client on `url` for reading and cleaning raw keys (connected). */
export async function plainClient(url: string) {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Deletes every key under `prefix` (a test's own namespace only). */
export async function deleteKeysUnder(
  client: Awaited<ReturnType<typeof plainClient>>,
  prefix: string,
): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

/** The conformance harness over a real Redis: every replica is a `createRedisTokenCache`. */
export async function redisHarness(
  url: string,
  connection: Partial<RedisConnectionOptions> = {},
): Promise<CacheSuiteHarness> {
  const raw = await plainClient(url);
  const namespacePrefix = `mcp-oauth-test-${randomId()}`;
  return {
    namespacePrefix,
    createReplica: (options) => createRedisTokenCache({ ...connection, ...options, url }),
    rawValue: async (storeKey) => (await raw.get(storeKey)) ?? undefined,
    writeRaw: async (storeKey, value) => {
      await raw.set(storeKey, value);
    },
    deleteRaw: async (storeKey) => {
      await raw.del(storeKey);
    },
    async close() {
      await deleteKeysUnder(raw, namespacePrefix);
      await raw.close();
    },
  };
}
