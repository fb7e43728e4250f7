import {
  type Clock,
  ConfigError,
  type DistributedLock,
  type HeldLock,
  type Logger,
  randomToken,
  silentLogger,
} from '@org/mcp-oauth-core';
import { CacheError, unavailable } from '../errors.js';
import { NAMESPACE_PATTERN } from '../key.js';
import { connectionDefaults, createManagedRedisClient, type RedisConnectionOptions } from './client.js';
import { COMPARE_AND_DELETE } from './scripts.js';

/** The two commands the lock sends; a node-redis v5 client satisfies it. */
export interface RedisLockClient {
  set(
    key: string,
    value: string,
    options: { condition: 'NX'; expiration: { type: 'PX'; value: number } },
  ): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link createRedisLock}: a `url` (the lock owns a connection) or a `client` you manage. */
export interface RedisLockOptions extends Partial<RedisConnectionOptions> {
  /** An existing client; `url` is then not used and `close()` leaves the client open. */
  client?: RedisLockClient;
  /** Prefix of lock keys. @default 'mcp-oauth:lock' */
  keyPrefix?: string;
  /** Shortest wait between two attempts while waiting (ms). @default 10 */
  pollMinMs?: number;
  /** Longest wait between two attempts while waiting (ms). @default 100 */
  pollMaxMs?: number;
  /** @default Date.now */
  now?: Clock;
  /** Waits `ms`; inject to control time. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform random in [0, 1) for the jitter. @default Math.random */
  random?: () => number;
  /** @default silentLogger */
  logger?: Logger;
}

/** A Redis {@link DistributedLock} that owns (or borrows) a connection. */
export interface RedisLock extends DistributedLock {
  /** Resolves when the lock's own connection is up (at once for a client you passed); waits while Redis is down. */
  connected(): Promise<void>;
  /** Closes the connection the lock opened (not a client you passed). */
  close(): Promise<void>;
}

function nonNegativeInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new ConfigError(option, 'must be a non-negative integer');
  return value;
}

/**
 * A cross-replica lock on Redis: `SET key owner NX PX ttl` with a random owner token, released by a
 * compare-and-delete script (a holder whose lock expired and was taken by another never deletes the other's).
 * Waiting polls with small jittered pauses until `waitMs` has passed. Use it as a fast path in front of the
 * database lock, which stays the authority.
 *
 * @throws ConfigError for invalid options.
 * @example
 * ```ts
 * const lock = createRedisLock({ url: 'redis://127.0.0.1:6379' });
 * const held = await lock.acquire(`refresh:${instanceId}`, { waitMs: 5_000, ttlMs: 30_000 });
 * if (held) try { await refresh(); } finally { await held.release(); }
 * ```
 */
export function createRedisLock(options: RedisLockOptions): RedisLock {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  const logger = options.logger ?? silentLogger;
  const keyPrefix = options.keyPrefix ?? 'mcp-oauth:lock';
  if (!NAMESPACE_PATTERN.test(keyPrefix))
    throw new ConfigError('keyPrefix', 'must match [A-Za-z0-9_.:/-]{1,100}');
  const pollMinMs = nonNegativeInteger('pollMinMs', options.pollMinMs, 10);
  const pollMaxMs = nonNegativeInteger('pollMaxMs', options.pollMaxMs, 100);
  if (pollMaxMs < pollMinMs) throw new ConfigError('pollMaxMs', 'must be at least pollMinMs');
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let owned: ReturnType<typeof createManagedRedisClient> | undefined;
  let client: RedisLockClient;
  if (options.client !== undefined) {
    client = options.client;
  } else {
    if (typeof options.url !== 'string') throw new ConfigError('url', 'is required when no client is given');
    owned = createManagedRedisClient({
      ...connectionDefaults({ ...options, url: options.url }),
      role: 'lock',
      logger,
      offlineQueue: false,
    });
    client = owned.client as unknown as RedisLockClient;
  }

  const held = (redisKey: string, owner: string): HeldLock => {
    let released = false;
    return {
      async release() {
        if (released) return;
        try {
          await client.eval(COMPARE_AND_DELETE, { keys: [redisKey], arguments: [owner] });
        } catch (error) {
          throw unavailable('lock release', error);
        }
        released = true;
      },
    };
  };

  return {
    async acquire(key, { waitMs, ttlMs }) {
      if (typeof key !== 'string' || key.length === 0) {
        throw new CacheError('CACHE_LOCK_INVALID', 'Lock key must be a non-empty string');
      }
      if (!Number.isSafeInteger(waitMs) || waitMs < 0 || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
        throw new CacheError('CACHE_LOCK_INVALID', 'waitMs must be an integer >= 0 and ttlMs an integer > 0');
      }
      const redisKey = `${keyPrefix}:${key}`;
      const owner = randomToken(18);
      const deadline = now() + waitMs;
      await owned?.untilUsable();
      for (;;) {
        let reply: unknown;
        try {
          reply = await client.set(redisKey, owner, {
            condition: 'NX',
            expiration: { type: 'PX', value: ttlMs },
          });
        } catch (error) {
          throw unavailable('lock acquire', error);
        }
        if (reply === 'OK') return held(redisKey, owner);
        const remaining = deadline - now();
        if (remaining <= 0) return null;
        const pause = pollMinMs + Math.floor(random() * (pollMaxMs - pollMinMs + 1));
        await sleep(Math.max(1, Math.min(remaining, pause)));
      }
    },
    async connected() {
      await owned?.whenReady();
    },
    async close() {
      await owned?.close();
    },
  };
}
